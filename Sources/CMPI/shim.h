// Open MPI's C API (Debian: libopenmpi-dev; pkg-config ompi-c). Swift cannot import MPI_COMM_WORLD,
// MPI_FLOAT, MPI_SUM and friends (macros over casts), so StrataDistributed calls CStrataMPI instead.
#include <mpi.h>
