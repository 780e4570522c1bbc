// OpenSSL's libcrypto (Debian: libssl-dev), for SHA-256 only. The SHA256_* calls are
// deprecated in OpenSSL 3 in favour of EVP, but their context is a plain struct, which
// gives Swift value semantics; they use the same SHA-NI/AVX2 code.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
