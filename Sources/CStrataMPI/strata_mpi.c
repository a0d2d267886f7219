// MPI over MPI_COMM_WORLD for StrataDistributed (see include/strata_mpi.h).
#include "strata_mpi.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

/// Largest piece, in elements, that one blocking call moves (MPI counts are `int`).
static const size_t strata_piece = (size_t)1 << 30;

/// Serialises every MPI call of the process (MPI_THREAD_SERIALIZED).
static pthread_mutex_t strata_lock = PTHREAD_MUTEX_INITIALIZER;
/// Whether MPI_Init_thread succeeded, and whether MPI_Finalize has run.
static int strata_initialized = 0, strata_finalized = 0;
/// A duplicate of MPI_COMM_WORLD used only by the exit barrier, so it never matches a collective
/// another rank is still blocked in on MPI_COMM_WORLD.
static MPI_Comm strata_exit_comm = MPI_COMM_NULL;
/// How long the exit handler waits for the other ranks, in seconds.
static double strata_exit_timeout = 30;
/// This process's rank in MPI_COMM_WORLD.
static int strata_rank = 0;

struct strata_mpi_request {
    MPI_Request request;
    int done;
};

/// Whether MPI calls may be made now (initialised, not finalised); call with the lock held.
static int strata_active(void) { return strata_initialized && !strata_finalized; }

/// Leaving the process: when every rank reaches its exit within the timeout (a run that ended normally),
/// finalise; otherwise (this rank failed while the others wait in a collective, or an MPI call is still
/// running on another thread) leave without MPI_Finalize, which makes mpirun end the whole job. An
/// unconditional MPI_Finalize here would wait forever for ranks blocked in a collective.
static void strata_mpi_at_exit(void) {
    if (pthread_mutex_trylock(&strata_lock) != 0) {
        fprintf(stderr, "strata: rank %d exits during an MPI call; leaving without MPI_Finalize\n", strata_rank);
        return;
    }
    if (!strata_active()) {
        pthread_mutex_unlock(&strata_lock);
        return;
    }
    MPI_Request request;
    int done = 0;
    if (MPI_Ibarrier(strata_exit_comm, &request) == MPI_SUCCESS) {
        double deadline = MPI_Wtime() + strata_exit_timeout;
        struct timespec pause = {0, 1000000};
        while (MPI_Test(&request, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done && MPI_Wtime() < deadline) {
            nanosleep(&pause, NULL);
        }
    }
    if (done) {
        MPI_Comm_free(&strata_exit_comm);
        MPI_Finalize();
        strata_finalized = 1;
    } else {
        fprintf(stderr, "strata: rank %d exits but the other ranks did not reach their exit within %g s "
                        "(STRATA_MPI_EXIT_TIMEOUT); leaving without MPI_Finalize so that mpirun ends the job\n",
                strata_rank, strata_exit_timeout);
    }
    pthread_mutex_unlock(&strata_lock);
}

int strata_mpi_initialize(double exit_timeout_seconds, int *rank, int *size) {
    pthread_mutex_lock(&strata_lock);
    int code = MPI_SUCCESS;
    if (strata_finalized) {
        code = STRATA_MPI_ERR_NOT_ACTIVE;
    } else if (!strata_initialized) {
        int provided = MPI_THREAD_SINGLE;
        code = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
        if (code == MPI_SUCCESS) {
            strata_initialized = 1;
            strata_exit_timeout = exit_timeout_seconds;
            atexit(strata_mpi_at_exit);
            code = MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
            if (code == MPI_SUCCESS) code = MPI_Comm_dup(MPI_COMM_WORLD, &strata_exit_comm);
            if (code == MPI_SUCCESS && provided < MPI_THREAD_SERIALIZED) code = STRATA_MPI_ERR_THREAD_LEVEL;
        }
    }
    if (code == MPI_SUCCESS) code = MPI_Comm_rank(MPI_COMM_WORLD, rank);
    if (code == MPI_SUCCESS) code = MPI_Comm_size(MPI_COMM_WORLD, size);
    if (code == MPI_SUCCESS) strata_rank = *rank;
    pthread_mutex_unlock(&strata_lock);
    return code;
}

int strata_mpi_finalize(void) {
    pthread_mutex_lock(&strata_lock);
    int code = STRATA_MPI_ERR_NOT_ACTIVE;
    if (strata_active()) {
        code = MPI_Barrier(strata_exit_comm);
        if (code == MPI_SUCCESS) code = MPI_Comm_free(&strata_exit_comm);
        if (code == MPI_SUCCESS) {
            code = MPI_Finalize();
            strata_finalized = 1;
        }
    }
    pthread_mutex_unlock(&strata_lock);
    return code;
}

int strata_mpi_allreduce_sum_float(float *buffer, size_t count) {
    pthread_mutex_lock(&strata_lock);
    int code = strata_active() ? MPI_SUCCESS : STRATA_MPI_ERR_NOT_ACTIVE;
    for (size_t start = 0; code == MPI_SUCCESS && start < count; start += strata_piece) {
        size_t piece = count - start < strata_piece ? count - start : strata_piece;
        code = MPI_Allreduce(MPI_IN_PLACE, buffer + start, (int)piece, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    }
    pthread_mutex_unlock(&strata_lock);
    return code;
}

int strata_mpi_broadcast_float(float *buffer, size_t count, int root) {
    pthread_mutex_lock(&strata_lock);
    int code = strata_active() ? MPI_SUCCESS : STRATA_MPI_ERR_NOT_ACTIVE;
    for (size_t start = 0; code == MPI_SUCCESS && start < count; start += strata_piece) {
        size_t piece = count - start < strata_piece ? count - start : strata_piece;
        code = MPI_Bcast(buffer + start, (int)piece, MPI_FLOAT, root, MPI_COMM_WORLD);
    }
    pthread_mutex_unlock(&strata_lock);
    return code;
}

int strata_mpi_allgather_float(const float *send, size_t count, float *receive) {
    if (count > INT_MAX) return STRATA_MPI_ERR_COUNT;
    pthread_mutex_lock(&strata_lock);
    int code = strata_active() ? MPI_SUCCESS : STRATA_MPI_ERR_NOT_ACTIVE;
    if (code == MPI_SUCCESS) {
        code = MPI_Allgather(send, (int)count, MPI_FLOAT, receive, (int)count, MPI_FLOAT, MPI_COMM_WORLD);
    }
    pthread_mutex_unlock(&strata_lock);
    return code;
}

int strata_mpi_barrier(void) {
    pthread_mutex_lock(&strata_lock);
    int code = strata_active() ? MPI_Barrier(MPI_COMM_WORLD) : STRATA_MPI_ERR_NOT_ACTIVE;
    pthread_mutex_unlock(&strata_lock);
    return code;
}

int strata_mpi_iallreduce_sum_float(float *buffer, size_t count, strata_mpi_request **request) {
    *request = NULL;
    if (count > INT_MAX) return STRATA_MPI_ERR_COUNT;
    struct strata_mpi_request *pending = calloc(1, sizeof *pending);
    if (pending == NULL) return MPI_ERR_NO_MEM;
    pthread_mutex_lock(&strata_lock);
    int code = strata_active() ? MPI_SUCCESS : STRATA_MPI_ERR_NOT_ACTIVE;
    if (code == MPI_SUCCESS) {
        code = MPI_Iallreduce(MPI_IN_PLACE, buffer, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &pending->request);
    }
    pthread_mutex_unlock(&strata_lock);
    if (code == MPI_SUCCESS) {
        *request = pending;
    } else {
        free(pending);
    }
    return code;
}

int strata_mpi_test(strata_mpi_request *request, int *done) {
    if (request->done) {
        *done = 1;
        return MPI_SUCCESS;
    }
    pthread_mutex_lock(&strata_lock);
    int code = strata_active() ? MPI_Test(&request->request, &request->done, MPI_STATUS_IGNORE)
                               : STRATA_MPI_ERR_NOT_ACTIVE;
    pthread_mutex_unlock(&strata_lock);
    *done = request->done;
    return code;
}

int strata_mpi_wait(strata_mpi_request *request) {
    if (request->done) return MPI_SUCCESS;
    pthread_mutex_lock(&strata_lock);
    int code = strata_active() ? MPI_Wait(&request->request, MPI_STATUS_IGNORE) : STRATA_MPI_ERR_NOT_ACTIVE;
    if (code == MPI_SUCCESS) request->done = 1;
    pthread_mutex_unlock(&strata_lock);
    return code;
}

void strata_mpi_request_free(strata_mpi_request *request) { free(request); }

void strata_mpi_error_string(int code, char *message, size_t capacity) {
    if (capacity == 0) return;
    switch (code) {
    case STRATA_MPI_ERR_THREAD_LEVEL:
        snprintf(message, capacity, "this MPI library cannot give MPI_THREAD_SERIALIZED");
        return;
    case STRATA_MPI_ERR_NOT_ACTIVE:
        snprintf(message, capacity, "MPI is not initialised or already finalised");
        return;
    case STRATA_MPI_ERR_COUNT:
        snprintf(message, capacity, "more elements than an MPI count (int) can hold");
        return;
    }
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) {
        snprintf(message, capacity, "unknown MPI error");
        return;
    }
    snprintf(message, capacity, "%.*s", length, text);
}

double strata_mpi_wtime(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}
