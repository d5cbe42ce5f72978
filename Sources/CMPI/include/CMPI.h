// A plain C face over Open MPI for Swift: MPI_COMM_WORLD, MPI_DOUBLE and MPI_SUM are macros
// over Open MPI's globals, which Swift cannot import, so every call that needs them is here.
// Every function returns 0 on success or an MPI error code.
#ifndef CMPI_H
#define CMPI_H
#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this process was started by mpirun (Open MPI sets OMPI_COMM_WORLD_SIZE), else 0:
/// a plain run never initialises MPI, so the same binary works without it.
int cmpi_launched(void);
/// MPI_Init_thread with MPI_THREAD_FUNNELED (only the main thread calls MPI).
int cmpi_init(void);
int cmpi_rank(void);
int cmpi_size(void);
/// In-place element-wise sum of `n` doubles over all ranks.
int cmpi_allreduce_sum(double *values, int n);
/// Broadcast of `n` bytes from `root`.
int cmpi_bcast(void *bytes, int n, int root);
/// Gathers one int per rank to `counts` on rank 0 (ignored elsewhere).
int cmpi_gather_int(int value, int *counts);
/// Gathers `n` bytes per rank to `out` on rank 0 at `displs` with `counts` (ignored elsewhere).
int cmpi_gatherv_bytes(const void *bytes, int n, void *out, const int *counts, const int *displs);
int cmpi_barrier(void);
/// Prints `message` to stderr and aborts every rank with `code`.
void cmpi_abort(const char *message, int code);
int cmpi_finalize(void);
/// The MPI library's description of an error code, in `out` (`len` bytes).
void cmpi_error_string(int code, char *out, int len);

#ifdef __cplusplus
}
#endif
#endif
