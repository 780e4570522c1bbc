// `lantaarn-fuzz`'s entry point, for `make fuzz` only.
//
// SwiftPM links a Swift executable with `--defsym main=<module>_main`, so that tests can link
// the module. `lantaarn-fuzz` has no Swift `main`: libFuzzer drives it. With `-sanitize=fuzzer`
// on every module SwiftPM leaves `main` alone and libFuzzer supplies it; `make fuzz` no longer
// passes that flag (only Lantaarn's own modules get coverage counters, see Package.swift), so
// this defines the renamed symbol and hands over to libFuzzer's driver.
#include "fuzz_main.h"

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int lantaarn_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
