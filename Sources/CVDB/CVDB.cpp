// CVDB: the C face over OpenVDB declared in include/CVDB.h. Every entry point catches all
// C++ exceptions and returns them as messages; nothing here aborts on bad input.
#include "CVDB.h"

#include <openvdb/openvdb.h>
#include <openvdb/io/File.h>
#include <openvdb/math/Maps.h>
#include <openvdb/tools/Prune.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cmath>
#include <memory>
#include <mutex>
#include <new>
#include <sstream>
#include <string>
#include <vector>

struct cvdb_writer {
    openvdb::math::Transform::Ptr transform;
    openvdb::GridPtrVec grids;
    openvdb::MetaMap fileMeta;
    std::string error;
    bool half = false;
    uint32_t compression = openvdb::io::COMPRESS_ACTIVE_MASK | openvdb::io::COMPRESS_BLOSC;
};

namespace {

std::once_flag initFlag;
void initOpenVDB() { std::call_once(initFlag, [] { openvdb::initialize(); }); }

const char *nullWriter = "CVDB: no writer (NULL)";

const char *fail(cvdb_writer *w, const std::string &msg) {
    w->error = msg;
    return w->error.c_str();
}

openvdb::GridBase::Ptr findGrid(const cvdb_writer *w, const std::string &name) {
    for (auto &g : w->grids) if (g->getName() == name) return g;
    return nullptr;
}

// Checks a grid's name, dims and value count; returns an empty string when all is well.
std::string checkGrid(const cvdb_writer *w, const char *name, const int32_t dims[3], size_t count, size_t components) {
    if (!name || !*name) return "grid name is empty";
    if (findGrid(w, name)) return std::string("grid '") + name + "' was already added";
    if (!dims) return std::string("grid '") + name + "': no dims";
    size_t n = 1;
    for (int a = 0; a < 3; ++a) {
        // Index coordinates are int32; keep well inside them (and the product inside size_t).
        if (dims[a] <= 0 || dims[a] > (1 << 24)) {
            std::ostringstream s;
            s << "grid '" << name << "': dims (" << dims[0] << ", " << dims[1] << ", " << dims[2]
              << ") must be positive and at most 2^24 per axis";
            return s.str();
        }
        n *= size_t(dims[a]);
    }
    if (count != n * components) {
        std::ostringstream s;
        s << "grid '" << name << "': " << count << " values given, dims (" << dims[0] << ", " << dims[1] << ", "
          << dims[2] << ") need " << n * components;
        return s.str();
    }
    return "";
}

// The first non-finite value, as a message naming the voxel; empty if none.
std::string checkFinite(const char *name, const int32_t dims[3], const float *v, size_t count, size_t components) {
    for (size_t c = 0; c < count; ++c) {
        if (!std::isfinite(v[c])) {
            size_t lin = c / components;
            std::ostringstream s;
            s << "grid '" << name << "': non-finite value " << v[c] << " at voxel (" << lin % size_t(dims[0]) << ", "
              << (lin / size_t(dims[0])) % size_t(dims[1]) << ", " << lin / (size_t(dims[0]) * size_t(dims[1])) << ")";
            return s.str();
        }
    }
    return "";
}

// Builds the tree leaf by leaf (8³ blocks, in parallel), straight from the dense array and
// the mask: unlike tools::copyFromDense, a voxel equal to the background stays active if the
// mask says so (a fluid cell at rest is still fluid). Blocks with no active voxel are not
// stored (they read as background); constant leaves are pruned to tiles afterwards.
template <typename TreeT, typename ValueAt>
void buildTree(TreeT &tree, const int32_t d[3], const uint8_t *active, ValueAt valueAt) {
    using LeafT = typename TreeT::LeafNodeType;
    using ValueT = typename TreeT::ValueType;
    const int dim = int(LeafT::DIM);
    const size_t b0 = size_t((d[0] + dim - 1) / dim), b1 = size_t((d[1] + dim - 1) / dim),
                 b2 = size_t((d[2] + dim - 1) / dim);
    const size_t n0 = size_t(d[0]), n1 = size_t(d[1]);
    const ValueT background = tree.background();
    std::vector<std::unique_ptr<LeafT>> leaves(b0 * b1 * b2);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, leaves.size()), [&](const tbb::blocked_range<size_t> &r) {
        for (size_t b = r.begin(); b != r.end(); ++b) {
            const int ox = int(b % b0) * dim, oy = int((b / b0) % b1) * dim, oz = int(b / (b0 * b1)) * dim;
            std::unique_ptr<LeafT> leaf(new LeafT(openvdb::Coord(ox, oy, oz), background, false));
            bool any = false;
            for (int z = oz; z < std::min(oz + dim, d[2]); ++z) {
                for (int y = oy; y < std::min(oy + dim, d[1]); ++y) {
                    size_t lin = size_t(ox) + n0 * (size_t(y) + n1 * size_t(z));
                    for (int x = ox; x < std::min(ox + dim, d[0]); ++x, ++lin) {
                        const openvdb::Index off = LeafT::coordToOffset(openvdb::Coord(x, y, z));
                        leaf->setValueOnly(off, valueAt(lin));
                        if (!active || active[lin]) { leaf->setValueOn(off); any = true; }
                    }
                }
            }
            if (any) leaves[b] = std::move(leaf);
        }
    });
    for (auto &l : leaves) if (l) tree.addLeaf(l.release());
    openvdb::tools::prune(tree);
}

bool reservedKey(const std::string &k) {
    return k == "name" || k == "class" || k == "vector_type" || k == "is_local_space" ||
           k == "is_saved_as_half_float" || k == "creator" || k.rfind("file_", 0) == 0;
}

}  // namespace

extern "C" {

cvdb_writer *cvdb_writer_create(void) {
    try {
        initOpenVDB();
        auto *w = new cvdb_writer();
        w->transform = openvdb::math::Transform::createLinearTransform(1.0);
        return w;
    } catch (...) {
        return nullptr;
    }
}

void cvdb_writer_destroy(cvdb_writer *w) { delete w; }

const char *cvdb_set_transform(cvdb_writer *w, const double m[16]) {
    if (!w) return nullWriter;
    if (!m) return fail(w, "transform: no matrix");
    try {
        for (int i = 0; i < 16; ++i)
            if (!std::isfinite(m[i])) return fail(w, "transform: matrix has a non-finite entry");
        if (m[12] != 0 || m[13] != 0 || m[14] != 0 || m[15] != 1)
            return fail(w, "transform: the last row must be (0, 0, 0, 1) (an affine map)");
        // OpenVDB multiplies row vectors (v · M, translation in the last row): transpose.
        openvdb::math::Mat4d M;
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) M(r, c) = m[c * 4 + r];
        const double det = M.getMat3().det();
        double scale = 0;
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) scale = std::max(scale, std::abs(M(i, j)));
        if (!(scale > 0) || std::abs(det) <= 1e-12 * scale * scale * scale)
            return fail(w, "transform: the 3×3 part is singular");
        openvdb::math::AffineMap::Ptr affine(new openvdb::math::AffineMap(M));
        w->transform.reset(new openvdb::math::Transform(openvdb::math::simplify(affine)));
        return nullptr;
    } catch (const std::exception &e) {
        return fail(w, std::string("transform: ") + e.what());
    } catch (...) {
        return fail(w, "transform: unknown error");
    }
}

const char *cvdb_add_float_grid(cvdb_writer *w, const char *name, const int32_t dims[3], const float *values,
                                size_t count, const uint8_t *active, float background, cvdb_grid_class gridClass) {
    if (!w) return nullWriter;
    try {
        std::string e = checkGrid(w, name, dims, count, 1);
        if (e.empty() && !values) e = std::string("grid '") + name + "': no values";
        if (e.empty()) e = checkFinite(name, dims, values, count, 1);
        if (e.empty() && !std::isfinite(background)) e = std::string("grid '") + name + "': non-finite background";
        if (e.empty() && (gridClass < CVDB_CLASS_UNKNOWN || gridClass > CVDB_CLASS_STAGGERED))
            e = std::string("grid '") + name + "': unknown grid class";
        if (!e.empty()) return fail(w, e);
        auto grid = openvdb::FloatGrid::create(background);
        grid->setName(name);
        grid->setGridClass(openvdb::GridClass(gridClass));
        buildTree(grid->tree(), dims, active, [values](size_t i) { return values[i]; });
        w->grids.push_back(grid);
        return nullptr;
    } catch (const std::exception &e) {
        return fail(w, std::string("grid '") + (name ? name : "") + "': " + e.what());
    } catch (...) {
        return fail(w, "add float grid: unknown error");
    }
}

const char *cvdb_add_vec3_grid(cvdb_writer *w, const char *name, const int32_t dims[3], const float *xyz, size_t count,
                               const uint8_t *active, cvdb_vec_type vecType, int worldSpace) {
    if (!w) return nullWriter;
    try {
        std::string e = checkGrid(w, name, dims, count, 3);
        if (e.empty() && !xyz) e = std::string("grid '") + name + "': no values";
        if (e.empty()) e = checkFinite(name, dims, xyz, count, 3);
        if (e.empty() && (vecType < CVDB_VEC_INVARIANT || vecType > CVDB_VEC_CONTRAVARIANT_ABSOLUTE))
            e = std::string("grid '") + name + "': unknown vector type";
        if (!e.empty()) return fail(w, e);
        auto grid = openvdb::Vec3SGrid::create(openvdb::Vec3s(0.f));
        grid->setName(name);
        grid->setGridClass(openvdb::GRID_UNKNOWN);
        grid->setVectorType(openvdb::VecType(vecType));
        grid->setIsInWorldSpace(worldSpace != 0);
        buildTree(grid->tree(), dims, active,
                  [xyz](size_t i) { return openvdb::Vec3s(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]); });
        w->grids.push_back(grid);
        return nullptr;
    } catch (const std::exception &e) {
        return fail(w, std::string("grid '") + (name ? name : "") + "': " + e.what());
    } catch (...) {
        return fail(w, "add vec3 grid: unknown error");
    }
}

static const char *setMeta(cvdb_writer *w, const char *gridName, const char *key, const openvdb::Metadata &value) {
    if (!w) return nullWriter;
    try {
        if (!key || !*key) return fail(w, "metadata: empty key");
        if (reservedKey(key)) return fail(w, std::string("metadata: key '") + key + "' is reserved by OpenVDB or CVDB");
        if (!gridName) {
            w->fileMeta.removeMeta(key);
            w->fileMeta.insertMeta(key, value);
            return nullptr;
        }
        auto g = findGrid(w, gridName);
        if (!g) return fail(w, std::string("metadata '") + key + "': no grid '" + gridName + "'");
        g->removeMeta(key);
        g->insertMeta(key, value);
        return nullptr;
    } catch (const std::exception &e) {
        return fail(w, std::string("metadata '") + key + "': " + e.what());
    } catch (...) {
        return fail(w, "metadata: unknown error");
    }
}

const char *cvdb_set_meta_string(cvdb_writer *w, const char *gridName, const char *key, const char *value) {
    if (w && !value) return fail(w, "metadata: NULL value");
    return setMeta(w, gridName, key, openvdb::StringMetadata(value ? value : ""));
}

const char *cvdb_set_meta_float(cvdb_writer *w, const char *gridName, const char *key, double value) {
    return setMeta(w, gridName, key, openvdb::DoubleMetadata(value));
}

void cvdb_set_half_float(cvdb_writer *w, int on) {
    if (w) w->half = on != 0;
}

const char *cvdb_set_compression(cvdb_writer *w, uint32_t flags) {
    if (!w) return nullWriter;
    if (flags & ~uint32_t(0x7)) return fail(w, "compression: unknown flags (use 0x1 zip, 0x2 active mask, 0x4 Blosc)");
    w->compression = flags;
    return nullptr;
}

const char *cvdb_write(cvdb_writer *w, const char *path) {
    if (!w) return nullWriter;
    if (!path || !*path) return fail(w, "write: empty path");
    try {
        if (w->grids.empty()) return fail(w, std::string(path) + ": no grids to write");
        for (auto &g : w->grids) {
            g->setTransform(w->transform->copy());
            g->setSaveFloatAsHalf(w->half);
        }
        openvdb::MetaMap meta(w->fileMeta);
        meta.insertMeta("creator", openvdb::StringMetadata("RackFlow (CVDB over OpenVDB " OPENVDB_LIBRARY_VERSION_STRING ")"));
        openvdb::io::File file(path);
        file.setCompression(w->compression);
        file.write(w->grids, meta);
        file.close();
        return nullptr;
    } catch (const std::exception &e) {
        return fail(w, std::string(path) + ": " + e.what());
    } catch (...) {
        return fail(w, std::string(path) + ": unknown error while writing");
    }
}

int cvdb_grid_count(const cvdb_writer *w) { return w ? int(w->grids.size()) : 0; }

int64_t cvdb_active_voxel_count(const cvdb_writer *w, const char *gridName) {
    if (!w || !gridName) return -1;
    auto g = findGrid(w, gridName);
    return g ? int64_t(g->activeVoxelCount()) : -1;
}

}  // extern "C"
