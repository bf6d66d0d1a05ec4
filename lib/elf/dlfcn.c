/* SPDX-License-Identifier: MIT */
/*
 * POSIX-convention wrappers (<elf/dlfcn.h>) over the sk_elf_* calls.  A
 * handle is a struct sk_elf_obj, or the address of global_handle for
 * dlopen(NULL).
 */
#include <plat/compiler.h>

#include <elf/dlfcn.h>

static char global_handle;

void *sk_dlopen(const char *path, int mode)
{
	struct sk_elf_obj *obj;
	unsigned flags = 0;

	/* dlopen("libc.so.6") when the kernel provides libc: the global
	 * scope, where the provider's symbols are. */
	if (!path || sk_elf_is_provided(path))
		return &global_handle;
	if (mode & SK_RTLD_GLOBAL)
		flags |= SK_ELF_GLOBAL;
	if (mode & SK_RTLD_NOLOAD)
		flags |= SK_ELF_NOLOAD;
	if (sk_elf_open(path, flags, &obj))
		return NULL;
	return obj;
}

int sk_dlclose(void *handle)
{
	if (handle == &global_handle)
		return 0;
	return sk_elf_close(handle) ? -1 : 0;
}

static void *sym(void *handle, const char *name, const char *version,
		 const void *caller)
{
	void *addr = NULL;
	struct sk_elf_obj *obj = handle;
	int err;

	if (handle == SK_RTLD_NEXT)
		return sk_elf_sym_next(caller, name, &addr) ? NULL : addr;
	if (handle == &global_handle)
		obj = NULL;
	if (version)
		err = sk_elf_vsym(obj, name, version, &addr);
	else
		err = sk_elf_sym(obj, name, &addr);
	return err ? NULL : addr;
}

SK_NOINLINE void *sk_dlsym(void *handle, const char *name)
{
	return sym(handle, name, NULL, __builtin_return_address(0));
}

SK_NOINLINE void *sk_dlvsym(void *handle, const char *name, const char *version)
{
	return sym(handle, name, version, __builtin_return_address(0));
}

const char *sk_dlerror(void)
{
	return sk_elf_error();
}

int sk_dladdr(const void *addr, struct sk_elf_addr_info *info)
{
	return sk_elf_addr(addr, info) == 0;
}

int sk_dl_iterate_phdr(sk_elf_phdr_fn fn, void *data)
{
	return sk_elf_iterate_phdr(fn, data);
}
