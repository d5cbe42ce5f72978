#include "CMPI.h"
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cmpi_launched(void) { return getenv("OMPI_COMM_WORLD_SIZE") != NULL; }

int cmpi_init(void) {
    int provided = 0;
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (rc != MPI_SUCCESS) return rc;
    // Errors come back as codes (reported with the rank) rather than killing the job unexplained.
    return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

int cmpi_rank(void) { int r = 0; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
int cmpi_size(void) { int s = 1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }

// Waits for a request by testing it every millisecond instead of MPI's busy polling: a rank
// that finished its racks early must leave its core to the ranks still solving (on a 2-core
// machine, a spinning rank halves its neighbour's speed).
static int wait_politely(MPI_Request *req) {
    int done = 0;
    while (!done) {
        int rc = MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS) return rc;
        if (!done) { struct timespec ts = {0, 1000000}; nanosleep(&ts, NULL); }
    }
    return MPI_SUCCESS;
}

int cmpi_allreduce_sum(double *values, int n) {
    MPI_Request req;
    int rc = MPI_Iallreduce(MPI_IN_PLACE, values, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &req);
    if (rc != MPI_SUCCESS) return rc;
    return wait_politely(&req);
}

int cmpi_bcast(void *bytes, int n, int root) { return MPI_Bcast(bytes, n, MPI_BYTE, root, MPI_COMM_WORLD); }

int cmpi_gather_int(int value, int *counts) {
    MPI_Request req;
    int rc = MPI_Igather(&value, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD, &req);
    if (rc != MPI_SUCCESS) return rc;
    return wait_politely(&req);
}

int cmpi_gatherv_bytes(const void *bytes, int n, void *out, const int *counts, const int *displs) {
    return MPI_Gatherv(bytes, n, MPI_BYTE, out, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);
}

int cmpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

void cmpi_abort(const char *message, int code) {
    fprintf(stderr, "%s\n", message);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
}

int cmpi_finalize(void) { return MPI_Finalize(); }

void cmpi_error_string(int code, char *out, int len) {
    char buf[MPI_MAX_ERROR_STRING];
    int n = 0;
    if (MPI_Error_string(code, buf, &n) != MPI_SUCCESS) snprintf(buf, sizeof buf, "MPI error %d", code);
    snprintf(out, (size_t)len, "%s", buf);
}
