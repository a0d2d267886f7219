// oneDNN's C API (Debian: libdnnl-dev, version 2.x, OpenMP CPU runtime).
#include <dnnl.h>
// oneDNN's CPU runtime is GNU OpenMP: its thread count is set through the OpenMP API.
void omp_set_num_threads(int num_threads);
int omp_get_max_threads(void);
