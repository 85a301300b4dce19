#include <windows.h>
#include <bcrypt.h>
/* Test-only stand-in: Wine 8 lacks bcryptprimitives.dll, whose ProcessPrng Rust's std calls. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}
