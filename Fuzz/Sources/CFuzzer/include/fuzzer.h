// libFuzzer's driver, linked in by `-sanitize=fuzzer`: each fuzz target's main hands it the command line and
// the function to call with every input (see https://llvm.org/docs/LibFuzzer.html#using-libfuzzer-as-a-library).
#ifndef STRATA_FUZZER_H
#define STRATA_FUZZER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test_one_input)(const uint8_t *data, size_t size));

#endif
