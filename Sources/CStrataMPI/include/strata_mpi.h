// The MPI calls StrataDistributed needs, as plain C functions over MPI_COMM_WORLD: MPI's handles
// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_Request) are macros and implementation types Swift cannot
// import, so this header exposes none of them. Every function serialises its MPI calls with one mutex
// (the library is initialised with MPI_THREAD_SERIALIZED) and returns an MPI error code: MPI_SUCCESS (0),
// an MPI error (the communicator returns errors instead of aborting), or one of the STRATA_MPI_ codes.
#ifndef STRATA_MPI_H
#define STRATA_MPI_H

#include <stddef.h>

/// MPI_Init_thread gave a thread level below MPI_THREAD_SERIALIZED.
#define STRATA_MPI_ERR_THREAD_LEVEL (-1)
/// A call made before strata_mpi_initialize or after MPI_Finalize.
#define STRATA_MPI_ERR_NOT_ACTIVE (-2)
/// A count that MPI's `int` counts cannot hold.
#define STRATA_MPI_ERR_COUNT (-3)

/// A non-blocking operation in flight (wraps an MPI_Request).
typedef struct strata_mpi_request strata_mpi_request;

/// Calls MPI_Init_thread (MPI_THREAD_SERIALIZED), sets MPI_ERRORS_RETURN on MPI_COMM_WORLD, duplicates
/// it for the exit barrier and registers the exit handler (see strata_mpi_at_exit in the .c file).
/// Sets `*rank` and `*size` of MPI_COMM_WORLD. A second call only reports rank and size.
/// `exit_timeout_seconds`: how long the exit handler waits for the other ranks before leaving without
/// MPI_Finalize (which makes mpirun end the job).
int strata_mpi_initialize(double exit_timeout_seconds, int *rank, int *size);

/// A barrier of every rank, then MPI_Finalize. Later calls return STRATA_MPI_ERR_NOT_ACTIVE.
int strata_mpi_finalize(void);

/// Sums `count` floats in place across the ranks (MPI_Allreduce, MPI_IN_PLACE; in pieces past INT_MAX).
int strata_mpi_allreduce_sum_float(float *buffer, size_t count);

/// Copies `count` floats from rank `root` to every rank (MPI_Bcast; in pieces past INT_MAX).
int strata_mpi_broadcast_float(float *buffer, size_t count, int root);

/// Gathers `count` floats from each rank into `receive` (`count × size` floats, rank 0's first).
int strata_mpi_allgather_float(const float *send, size_t count, float *receive);

/// Waits until every rank has called it (MPI_Barrier).
int strata_mpi_barrier(void);

/// Starts summing `count` floats in place across the ranks (MPI_Iallreduce) and sets `*request`; the
/// buffer must stay untouched until strata_mpi_test reports completion or strata_mpi_wait returns.
int strata_mpi_iallreduce_sum_float(float *buffer, size_t count, strata_mpi_request **request);

/// Drives `request` forward (MPI_Test) and sets `*done` to 1 once it has completed.
int strata_mpi_test(strata_mpi_request *request, int *done);

/// Waits for `request` to complete (MPI_Wait); returns at once when it already has.
int strata_mpi_wait(strata_mpi_request *request);

/// Frees a request that has completed (after strata_mpi_test set `*done` or strata_mpi_wait returned).
void strata_mpi_request_free(strata_mpi_request *request);

/// Writes the text of error `code` (MPI's, or a STRATA_MPI_ code) into `message`, NUL-terminated.
void strata_mpi_error_string(int code, char *message, size_t capacity);

/// Seconds since an arbitrary point in the past (the monotonic clock; works without MPI).
double strata_mpi_wtime(void);

#endif
