#include <stddef.h>
#include <stdint.h>

/// `main` for `lantaarn-fuzz` (see fuzz_main.c).
int lantaarn_fuzz_main(int argc, char **argv);
