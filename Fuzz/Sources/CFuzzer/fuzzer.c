// Declarations only (include/fuzzer.h): libFuzzer itself comes with `-sanitize=fuzzer`.
#include "fuzzer.h"
