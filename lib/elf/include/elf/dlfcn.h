/* SPDX-License-Identifier: MIT */
/*
 * <dlfcn.h>-style wrappers over <elf/loader.h>, with POSIX return
 * conventions (NULL or non-zero on failure, message from sk_dlerror), for
 * a POSIX layer to export under the standard names.
 */
#ifndef SK_ELF_DLFCN_H
#define SK_ELF_DLFCN_H

#include <elf/loader.h>

enum {
	SK_RTLD_LAZY = 0x1, /* accepted; binding is always immediate */
	SK_RTLD_NOW = 0x2,
	SK_RTLD_NOLOAD = 0x4,
	SK_RTLD_GLOBAL = 0x100,
	SK_RTLD_LOCAL = 0,
};

#define SK_RTLD_DEFAULT ((void *)0)
#define SK_RTLD_NEXT ((void *)-1l)

/*
 * sk_dlopen - open @path.  NULL, or a soname a provider satisfies, gives a
 * handle on the global scope (providers and global objects).
 * Return: a handle, or NULL with the reason in sk_dlerror().
 * Context: thread, may block.
 */
void *sk_dlopen(const char *path, int mode);

/* sk_dlclose - Return: 0, or non-zero if @handle is not open. */
int sk_dlclose(void *handle);

/*
 * sk_dlsym - @name in @handle's scope; SK_RTLD_DEFAULT: the global scope;
 * SK_RTLD_NEXT: objects after the caller's.  Return: address or NULL.
 */
void *sk_dlsym(void *handle, const char *name);

/* sk_dlvsym - as sk_dlsym, for @name at @version. */
void *sk_dlvsym(void *handle, const char *name, const char *version);

/* sk_dlerror - the last error, cleared by reading; NULL if none. */
const char *sk_dlerror(void);

/* sk_dladdr - Return: non-zero and @info filled if @addr is loaded. */
int sk_dladdr(const void *addr, struct sk_elf_addr_info *info);

/* sk_dl_iterate_phdr - as sk_elf_iterate_phdr. */
int sk_dl_iterate_phdr(sk_elf_phdr_fn fn, void *data);

#endif
