// CVDB: a plain C face over the OpenVDB library (Debian's libopenvdb-dev 10.0), just enough
// to write field caches: float and vec3s grids built from dense arrays on a uniform voxel
// lattice, with an active mask, metadata, and a linear (affine) transform.
//
// Errors never crash: every call that can fail returns NULL on success or an error message
// owned by the writer (valid until the next call on that writer or its destruction).
// The library catches every C++ exception; no exception crosses this header.
#ifndef CVDB_H
#define CVDB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cvdb_writer cvdb_writer;

/// OpenVDB grid classes (openvdb::GridClass).
typedef enum {
    CVDB_CLASS_UNKNOWN = 0,
    CVDB_CLASS_LEVEL_SET = 1,
    CVDB_CLASS_FOG_VOLUME = 2,
    CVDB_CLASS_STAGGERED = 3
} cvdb_grid_class;

/// OpenVDB vector types (openvdb::VecType): velocity is CONTRAVARIANT_RELATIVE.
typedef enum {
    CVDB_VEC_INVARIANT = 0,
    CVDB_VEC_COVARIANT = 1,
    CVDB_VEC_COVARIANT_NORMALIZE = 2,
    CVDB_VEC_CONTRAVARIANT_RELATIVE = 3,
    CVDB_VEC_CONTRAVARIANT_ABSOLUTE = 4
} cvdb_vec_type;

/// A new, empty writer (no grids, identity transform). NULL only if out of memory.
cvdb_writer *cvdb_writer_create(void);
void cvdb_writer_destroy(cvdb_writer *w);

/// The transform of every grid (applied on write): world = M · (i, j, k, 1)ᵀ, with `m`
/// row-major (m[0..3] the first row; the translation is m[3], m[7], m[11]) and index
/// (i, j, k) the centre of voxel (i, j, k). The last row must be (0, 0, 0, 1) and the
/// 3×3 part invertible. A scale-and-translate matrix becomes OpenVDB's simplest map.
const char *cvdb_set_transform(cvdb_writer *w, const double m[16]);

/// Adds a float grid from `count` = dims[0]·dims[1]·dims[2] values, i fastest
/// (values[i + d0·(j + d1·k)] is voxel (i, j, k)). `active` (same layout, nonzero = active)
/// may be NULL for all active. Inactive voxels keep their value (pass the background to
/// have them read as background). Non-finite values are refused.
const char *cvdb_add_float_grid(cvdb_writer *w, const char *name, const int32_t dims[3],
                                const float *values, size_t count, const uint8_t *active,
                                float background, cvdb_grid_class grid_class);

/// Adds a vec3s grid from interleaved xyz triples (count = 3·voxels), layout as above,
/// background (0, 0, 0). `world_space` nonzero marks the vectors as world-space (OpenVDB's
/// is_local_space = false).
const char *cvdb_add_vec3_grid(cvdb_writer *w, const char *name, const int32_t dims[3],
                               const float *xyz, size_t count, const uint8_t *active,
                               cvdb_vec_type vec_type, int world_space);

/// String / float metadata on the grid added under `grid_name`, or on the file when
/// grid_name is NULL.
const char *cvdb_set_meta_string(cvdb_writer *w, const char *grid_name, const char *key, const char *value);
const char *cvdb_set_meta_float(cvdb_writer *w, const char *grid_name, const char *key, double value);

/// Store float grids as 16-bit halves on write (about half the size); default off.
void cvdb_set_half_float(cvdb_writer *w, int on);

/// File compression, OpenVDB's io::COMPRESS_* flags ORed: 0 none, 0x1 zip, 0x2 active
/// mask (inactive values stored compactly), 0x4 Blosc. Default 0x2 | 0x4 (OpenVDB's default
/// when built with Blosc, as Debian's is). Flags outside 0x7 are refused.
const char *cvdb_set_compression(cvdb_writer *w, uint32_t flags);

/// Writes every grid to `path` (overwriting it) with OpenVDB's default compression.
const char *cvdb_write(cvdb_writer *w, const char *path);

/// Grids added so far, and their active voxel count (for reports); -1 for an unknown name.
int cvdb_grid_count(const cvdb_writer *w);
int64_t cvdb_active_voxel_count(const cvdb_writer *w, const char *grid_name);

#ifdef __cplusplus
}
#endif

#endif
