/*
 * banned.h - libc calls cprof must not use.
 *
 * Each one is replaced by a name that does not exist, so a use fails at
 * compile time.  Use snprintf, buf_addf or memcpy with explicit lengths.
 */
#ifndef CPROF_BANNED_H
#define CPROF_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_cprof

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)

#endif
