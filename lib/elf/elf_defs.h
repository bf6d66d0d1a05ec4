/* SPDX-License-Identifier: MIT */
/*
 * The ELF64 x86-64 structures and constants lib/elf needs, written out from
 * the System V gABI and the x86-64 psABI so the library builds freestanding
 * (the kvm image has no <elf.h>).  Private to lib/elf.
 */
#ifndef SK_ELF_DEFS_H
#define SK_ELF_DEFS_H

#include <stdint.h>

struct sk_elf64_ehdr {
	unsigned char e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct sk_elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

struct sk_elf64_dyn {
	int64_t d_tag;
	uint64_t d_val;
};

struct sk_elf64_sym {
	uint32_t st_name;
	unsigned char st_info;
	unsigned char st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};

struct sk_elf64_rela {
	uint64_t r_offset;
	uint64_t r_info;
	int64_t r_addend;
};

struct sk_elf64_verdef {
	uint16_t vd_version;
	uint16_t vd_flags;
	uint16_t vd_ndx;
	uint16_t vd_cnt;
	uint32_t vd_hash;
	uint32_t vd_aux;
	uint32_t vd_next;
};

struct sk_elf64_verdaux {
	uint32_t vda_name;
	uint32_t vda_next;
};

struct sk_elf64_verneed {
	uint16_t vn_version;
	uint16_t vn_cnt;
	uint32_t vn_file;
	uint32_t vn_aux;
	uint32_t vn_next;
};

struct sk_elf64_vernaux {
	uint32_t vna_hash;
	uint16_t vna_flags;
	uint16_t vna_other;
	uint32_t vna_name;
	uint32_t vna_next;
};

enum {
	SK_EI_CLASS = 4,
	SK_EI_DATA = 5,
	SK_EI_VERSION = 6,
	SK_ELFCLASS64 = 2,
	SK_ELFDATA2LSB = 1,
	SK_EV_CURRENT = 1,
	SK_ET_EXEC = 2,
	SK_ET_DYN = 3,
	SK_EM_X86_64 = 62,
};

enum {
	SK_PT_LOAD = 1,
	SK_PT_DYNAMIC = 2,
	SK_PT_INTERP = 3,
	SK_PT_PHDR = 6,
	SK_PT_TLS = 7,
	SK_PT_GNU_STACK = 0x6474e551,
	SK_PT_GNU_RELRO = 0x6474e552,
	SK_PF_X = 1,
	SK_PF_W = 2,
	SK_PF_R = 4,
};

enum {
	SK_DT_NULL = 0,
	SK_DT_NEEDED = 1,
	SK_DT_PLTRELSZ = 2,
	SK_DT_HASH = 4,
	SK_DT_STRTAB = 5,
	SK_DT_SYMTAB = 6,
	SK_DT_RELA = 7,
	SK_DT_RELASZ = 8,
	SK_DT_RELAENT = 9,
	SK_DT_STRSZ = 10,
	SK_DT_SYMENT = 11,
	SK_DT_INIT = 12,
	SK_DT_FINI = 13,
	SK_DT_SONAME = 14,
	SK_DT_RPATH = 15,
	SK_DT_SYMBOLIC = 16,
	SK_DT_REL = 17,
	SK_DT_PLTREL = 20,
	SK_DT_TEXTREL = 22,
	SK_DT_JMPREL = 23,
	SK_DT_BIND_NOW = 24,
	SK_DT_INIT_ARRAY = 25,
	SK_DT_FINI_ARRAY = 26,
	SK_DT_INIT_ARRAYSZ = 27,
	SK_DT_FINI_ARRAYSZ = 28,
	SK_DT_RUNPATH = 29,
	SK_DT_FLAGS = 30,
	SK_DT_PREINIT_ARRAY = 32,
	SK_DT_PREINIT_ARRAYSZ = 33,
	SK_DT_RELRSZ = 35,
	SK_DT_RELR = 36,
	SK_DT_RELRENT = 37,
	SK_DT_GNU_HASH = 0x6ffffef5,
	SK_DT_VERSYM = 0x6ffffff0,
	SK_DT_FLAGS_1 = 0x6ffffffb,
	SK_DT_VERDEF = 0x6ffffffc,
	SK_DT_VERDEFNUM = 0x6ffffffd,
	SK_DT_VERNEED = 0x6ffffffe,
	SK_DT_VERNEEDNUM = 0x6fffffff,
	SK_DF_SYMBOLIC = 0x2,
	SK_DF_TEXTREL = 0x4,
	SK_DF_STATIC_TLS = 0x10,
};

enum {
	SK_STB_LOCAL = 0,
	SK_STB_GLOBAL = 1,
	SK_STB_WEAK = 2,
	SK_STB_GNU_UNIQUE = 10,
	SK_STT_NOTYPE = 0,
	SK_STT_OBJECT = 1,
	SK_STT_FUNC = 2,
	SK_STT_SECTION = 3,
	SK_STT_FILE = 4,
	SK_STT_COMMON = 5,
	SK_STT_TLS = 6,
	SK_STT_GNU_IFUNC = 10,
	SK_SHN_UNDEF = 0,
	SK_SHN_ABS = 0xfff1,
	SK_STV_DEFAULT = 0,
	SK_STV_HIDDEN = 2,
	SK_STV_PROTECTED = 3,
	SK_VER_FLG_BASE = 1,
	SK_VER_FLG_WEAK = 2,
	SK_VER_NDX_LOCAL = 0,
	SK_VER_NDX_GLOBAL = 1,
	SK_VERSYM_HIDDEN = 0x8000,
	SK_VERSYM_INDEX = 0x7fff,
};

/* x86-64 psABI relocation types. */
enum {
	SK_R_X86_64_NONE = 0,
	SK_R_X86_64_64 = 1,
	SK_R_X86_64_COPY = 5,
	SK_R_X86_64_GLOB_DAT = 6,
	SK_R_X86_64_JUMP_SLOT = 7,
	SK_R_X86_64_RELATIVE = 8,
	SK_R_X86_64_DTPMOD64 = 16,
	SK_R_X86_64_DTPOFF64 = 17,
	SK_R_X86_64_TPOFF64 = 18,
	SK_R_X86_64_TLSDESC = 36,
	SK_R_X86_64_IRELATIVE = 37,
};

#define SK_ELF_ST_BIND(i) ((unsigned)(i) >> 4)
#define SK_ELF_ST_TYPE(i) ((unsigned)(i)&0xf)
#define SK_ELF_ST_VISIBILITY(o) ((unsigned)(o)&0x3)
#define SK_ELF_R_SYM(i) ((uint32_t)((i) >> 32))
#define SK_ELF_R_TYPE(i) ((uint32_t)((i)&0xffffffffu))

#endif
