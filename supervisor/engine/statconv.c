/* SPDX-License-Identifier: MIT */
/* stat(2) results in the 32-bit layouts (i386, ARM EABI) for 32-bit
 * targets; native ones get the build's own struct stat. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/vfs.h>

#include "statconv.h"

/* i386 stat(2) under IA32 emulation, and ARM EABI stat(2) under AArch32
 * (little-endian): the kernel's struct compat_stat, the same 64 bytes. */
struct statconv_stat32 {
	uint32_t	c_dev;
	uint32_t	c_ino;
	uint16_t	c_mode;
	uint16_t	c_nlink;
	uint16_t	c_uid;
	uint16_t	c_gid;
	uint32_t	c_rdev;
	uint32_t	c_size;
	uint32_t	c_blksize;
	uint32_t	c_blocks;
	uint32_t	c_atime;
	uint32_t	c_atime_nsec;
	uint32_t	c_mtime;
	uint32_t	c_mtime_nsec;
	uint32_t	c_ctime;
	uint32_t	c_ctime_nsec;
	uint32_t	unused4;
	uint32_t	unused5;
};

/* i386 stat64(2), fstatat64(2): packed, 96 bytes. */
struct statconv_stat64 {
	uint64_t	c_dev;
	uint8_t		pad0[4];
	uint32_t	c_ino32;
	uint32_t	c_mode;
	uint32_t	c_nlink;
	uint32_t	c_uid;
	uint32_t	c_gid;
	uint64_t	c_rdev;
	uint8_t		pad3[4];
	int64_t		c_size;
	uint32_t	c_blksize;
	uint64_t	c_blocks;
	uint32_t	c_atime;
	uint32_t	c_atime_nsec;
	uint32_t	c_mtime;
	uint32_t	c_mtime_nsec;
	uint32_t	c_ctime;
	uint32_t	c_ctime_nsec;
	uint64_t	c_ino;
} __attribute__((packed));

/* ARM EABI stat64(2), fstatat64(2): struct stat64 of arm64's compat
 * (arch/arm64/include/asm/stat.h), the 64-bit members 8-byte aligned. */
struct statconv_stat64_eabi {
	uint64_t	c_dev;
	uint8_t		pad0[4];
	uint32_t	c_ino32;
	uint32_t	c_mode;
	uint32_t	c_nlink;
	uint32_t	c_uid;
	uint32_t	c_gid;
	uint64_t	c_rdev;
	uint8_t		pad3[4];
	int64_t		c_size __attribute__((aligned(8)));
	uint32_t	c_blksize;
	uint64_t	c_blocks __attribute__((aligned(8)));
	uint32_t	c_atime;
	uint32_t	c_atime_nsec;
	uint32_t	c_mtime;
	uint32_t	c_mtime_nsec;
	uint32_t	c_ctime;
	uint32_t	c_ctime_nsec;
	uint64_t	c_ino;
} __attribute__((aligned(8)));

_Static_assert(sizeof(struct statconv_stat32) == 64, "i386 struct stat");
_Static_assert(sizeof(struct statconv_stat64) == 96, "i386 struct stat64");
_Static_assert(sizeof(struct statconv_stat64_eabi) == 104,
    "ARM EABI struct stat64");
_Static_assert(offsetof(struct statconv_stat64_eabi, c_size) == 48 &&
    offsetof(struct statconv_stat64_eabi, c_blocks) == 64 &&
    offsetof(struct statconv_stat64_eabi, c_ino) == 96,
    "ARM EABI struct stat64 offsets");
/* The native layout is the build's struct stat, as the kernel writes it:
 * x86_64's own (144 bytes), the generic one elsewhere (aarch64: 128). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct stat) == 144, "x86_64 struct stat");
#elif defined(__aarch64__)
_Static_assert(sizeof(struct stat) == 128, "generic struct stat");
#endif
_Static_assert(sizeof(struct stat) >= sizeof(struct statconv_stat64_eabi),
    "STATCONV_MAX holds every layout");

/* The 32-bit layouts keep 32-bit seconds and nanoseconds. */
#define STATCONV_TIMES(d, st) do {					\
	(d)->c_atime = (st)->st_atim.tv_sec;				\
	(d)->c_atime_nsec = (st)->st_atim.tv_nsec;			\
	(d)->c_mtime = (st)->st_mtim.tv_sec;				\
	(d)->c_mtime_nsec = (st)->st_mtim.tv_nsec;			\
	(d)->c_ctime = (st)->st_ctim.tv_sec;				\
	(d)->c_ctime_nsec = (st)->st_ctim.tv_nsec;			\
} while (0)

/* Both struct stat64 layouts hold the same members. */
#define STATCONV_STAT64(d, st) do {					\
	memset((d), 0, sizeof(*(d)));					\
	(d)->c_dev = (st)->st_dev;					\
	(d)->c_ino32 = (st)->st_ino;					\
	(d)->c_mode = (st)->st_mode;					\
	(d)->c_nlink = (st)->st_nlink;					\
	(d)->c_uid = (st)->st_uid;					\
	(d)->c_gid = (st)->st_gid;					\
	(d)->c_rdev = (st)->st_rdev;					\
	(d)->c_size = (st)->st_size;					\
	(d)->c_blksize = (st)->st_blksize;				\
	(d)->c_blocks = (st)->st_blocks;				\
	STATCONV_TIMES((d), (st));					\
	(d)->c_ino = (st)->st_ino;					\
} while (0)

/* 16-bit ids: the kernel's high2lowuid() maps what does not fit to 65534. */
static uint16_t
statconv_low_id(uint32_t id)
{
	return id > 0xffff ? 65534 : id;
}

int
statconv(const struct stat *st, enum syscalls_layout layout, void *out)
{
	struct statconv_stat32 s32;
	struct statconv_stat64 s64;
	struct statconv_stat64_eabi e64;

	switch (layout) {
	case SYSCALLS_LAYOUT_STAT32:
		/* The 64-bit st_dev is already new_encode_dev()'d: it fits. */
		if (st->st_ino > UINT32_MAX || st->st_nlink > UINT16_MAX ||
		    st->st_size > INT32_MAX)
			return -EOVERFLOW;
		memset(&s32, 0, sizeof(s32));
		s32.c_dev = st->st_dev;
		s32.c_ino = st->st_ino;
		s32.c_mode = st->st_mode;
		s32.c_nlink = st->st_nlink;
		s32.c_uid = statconv_low_id(st->st_uid);
		s32.c_gid = statconv_low_id(st->st_gid);
		s32.c_rdev = st->st_rdev;
		s32.c_size = st->st_size;
		s32.c_blksize = st->st_blksize;
		s32.c_blocks = st->st_blocks;
		STATCONV_TIMES(&s32, st);
		memcpy(out, &s32, sizeof(s32));
		return sizeof(s32);
	case SYSCALLS_LAYOUT_STAT64:
		STATCONV_STAT64(&s64, st);
		memcpy(out, &s64, sizeof(s64));
		return sizeof(s64);
	case SYSCALLS_LAYOUT_STAT64_EABI:
		STATCONV_STAT64(&e64, st);
		memcpy(out, &e64, sizeof(e64));
		return sizeof(e64);
	default:
		break;
	}
	memcpy(out, st, sizeof(*st));
	return sizeof(*st);
}

/* i386 struct statfs and struct statfs64 (packed to 4 bytes). */
struct statconv_statfs32 {
	uint32_t	f_type, f_bsize, f_blocks, f_bfree, f_bavail;
	uint32_t	f_files, f_ffree;
	int32_t		f_fsid[2];
	uint32_t	f_namelen, f_frsize, f_flags, f_spare[4];
};

struct statconv_statfs64 {
	uint32_t	f_type, f_bsize;
	uint64_t	f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t		f_fsid[2];
	uint32_t	f_namelen, f_frsize, f_flags, f_spare[4];
} __attribute__((packed, aligned(4)));

#define STATCONV_FS(d, fs) do {						\
	(d)->f_type = (fs)->f_type;					\
	(d)->f_bsize = (fs)->f_bsize;					\
	(d)->f_blocks = (fs)->f_blocks;					\
	(d)->f_bfree = (fs)->f_bfree;					\
	(d)->f_bavail = (fs)->f_bavail;					\
	(d)->f_files = (fs)->f_files;					\
	(d)->f_ffree = (fs)->f_ffree;					\
	memcpy((d)->f_fsid, &(fs)->f_fsid, sizeof((d)->f_fsid));	\
	(d)->f_namelen = (fs)->f_namelen;				\
	(d)->f_frsize = (fs)->f_frsize;					\
	(d)->f_flags = (fs)->f_flags;					\
} while (0)

int
statconv_fs(const struct statfs *fs, enum syscalls_layout layout,
    uint64_t size, void *out)
{
	struct statconv_statfs32 s32;
	struct statconv_statfs64 s64;

	switch (layout) {
	case SYSCALLS_LAYOUT_STATFS32:
		/* As the kernel's put_compat_statfs(): -1 counts fit. */
		if (((uint64_t)fs->f_blocks | fs->f_bfree | fs->f_bavail |
		    (uint64_t)fs->f_bsize | (uint64_t)fs->f_frsize) >> 32 ||
		    ((uint64_t)fs->f_files != UINT64_MAX &&
		    (uint64_t)fs->f_files >> 32) ||
		    ((uint64_t)fs->f_ffree != UINT64_MAX &&
		    (uint64_t)fs->f_ffree >> 32))
			return -EOVERFLOW;
		memset(&s32, 0, sizeof(s32));
		STATCONV_FS(&s32, fs);
		memcpy(out, &s32, sizeof(s32));
		return sizeof(s32);
	case SYSCALLS_LAYOUT_STATFS64:
	case SYSCALLS_LAYOUT_STATFS64_EABI:
		/* ARM EABI's struct statfs64 is 88 bytes with its padding:
		 * the kernel takes that size too, and writes the packed 84. */
		if (size != sizeof(s64) && !(layout ==
		    SYSCALLS_LAYOUT_STATFS64_EABI && size == 88))
			return -EINVAL;
		memset(&s64, 0, sizeof(s64));
		STATCONV_FS(&s64, fs);
		memcpy(out, &s64, sizeof(s64));
		return sizeof(s64);
	default:
		break;
	}
	memcpy(out, fs, sizeof(*fs));
	return sizeof(*fs);
}
