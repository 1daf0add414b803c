#!/usr/bin/python3
"""A file system that loses what was not synced when the "power" is cut (after Jepsen's LazyFS).

    /usr/bin/python3 powercut-fs.py MEDIUM MOUNTPOINT

MEDIUM/disk is the medium: whatever is there has reached the platters. MOUNTPOINT shows it, plus
what programs wrote since: file data written since the file's last fsync/fdatasync is held in
memory (an overlay of 4 KiB blocks per inode, with the size and any truncation), and names
created, removed or renamed since their directory's last fsync are applied to the medium but
logged, so they can be undone. Commands on stdin, one a line:

    cut    the power goes: every unsynced block is dropped, every name change not covered by a
           directory fsync is rolled back, and from then on every operation fails with EIO.
           Answers "cut" on stdout.
    exit   unmount and exit (after a cut; the writer must be dead by then).

End of stdin (the test died) is a cut followed by exit, so no mount outlives the test.

How strict, and why (see docs/design-notes.md, "Power cuts"):
* data: nothing unsynced survives (LazyFS's model). A real disk may also keep some unsynced
  writes, in any order; SQLite's WAL checksums cover that case, dropping everything is what
  loses acknowledged commits when the fsync is missing, which is what the test is after.
* names: POSIX only promises a new, removed or renamed name after an fsync of its directory
  (ext4 happens to commit a new file's entry with the file's own fsync; we do not count on it).
  SQLite fsyncs the directory after creating a WAL or rollback journal, so its files pass.
* the host's own page cache is never cut, so syncing to the medium is a plain write to MEDIUM,
  without an fsync of the host's disk (that would only make the test slow).
* attributes (mode, owner, times) go straight through and are not modelled.
* the -shm file of a WAL database is shared memory SQLite never syncs: it is dropped like any
  unsynced data, as on a real power cut, and SQLite rebuilds it from the WAL.
"""

import errno
import os
import shutil
import stat
import subprocess
import sys
import threading

import fusepy

BLOCK = 4096


class Dirty:
    """The unsynced state of one inode: its blocks, its size, and the lowest size it had."""

    __slots__ = ("size", "low", "blocks")

    def __init__(self, size):
        self.size = size
        # below `low` the medium's bytes still count; at and above it only the overlay does
        self.low = size
        self.blocks = {}


class PowerCutFs(fusepy.Operations):
    use_ns = True
    flag_nullpath_ok = 1

    def __init__(self, medium, mountpoint):
        self.root = os.path.join(medium, "disk")
        self.trash = os.path.join(medium, "trash")
        os.makedirs(self.root, exist_ok=True)
        shutil.rmtree(self.trash, ignore_errors=True)
        os.makedirs(self.trash)
        self.mountpoint = mountpoint
        self.mutex = threading.RLock()
        self.cut_done = False
        self.dirty = {}  # inode -> Dirty
        self.fh_ino = {}  # fh -> inode
        # name changes not yet made durable by a directory fsync, oldest first:
        # [kind, dirs still to sync (set), args...]
        self.undo = []
        self.trash_n = 0

    # --- helpers -------------------------------------------------------------------------

    def full(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def alive(self):
        if self.cut_done:
            raise fusepy.FuseOSError(errno.EIO)

    def ino_of(self, path, fh):
        if fh is not None and fh in self.fh_ino:
            return self.fh_ino[fh]
        return os.lstat(self.full(path)).st_ino

    def to_trash(self, full):
        self.trash_n += 1
        dest = os.path.join(self.trash, str(self.trash_n))
        os.rename(full, dest)
        return dest

    def log(self, kind, dirs, *args):
        self.undo.append([kind, set(dirs), *args])

    @staticmethod
    def parent(path):
        return os.path.dirname(path.rstrip("/")) or "/"

    def block(self, fh, d, b):
        blk = d.blocks.get(b)
        if blk is None:
            blk = bytearray(BLOCK)
            start = b * BLOCK
            n = min(BLOCK, d.low - start)
            if n > 0:
                got = os.pread(fh, n, start)
                blk[: len(got)] = got
            d.blocks[b] = blk
        return blk

    def dirty_of(self, ino, fh):
        d = self.dirty.get(ino)
        if d is None:
            d = Dirty(os.fstat(fh).st_size)
            self.dirty[ino] = d
        return d

    def with_fd(self, path, fh, fn):
        if fh is not None:
            return fn(fh)
        fd = os.open(self.full(path), os.O_RDWR)
        try:
            return fn(fd)
        finally:
            os.close(fd)

    # --- the power cut ---------------------------------------------------------------------

    def cut(self):
        with self.mutex:
            if self.cut_done:
                return
            self.cut_done = True
            self.dirty.clear()
            for entry in reversed(self.undo):
                try:
                    self.roll_back(entry)
                except OSError as e:
                    print(f"powercut-fs: could not roll back {entry[0]}: {e}", file=sys.stderr)
            self.undo.clear()

    def roll_back(self, entry):
        kind = entry[0]
        if kind == "created":
            full = self.full(entry[2])
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full)
            elif os.path.lexists(full):
                os.unlink(full)
        elif kind == "removed":  # a file or directory moved to the trash: put it back
            os.rename(entry[3], self.full(entry[2]))
        elif kind == "rmdir":
            os.mkdir(self.full(entry[2]), entry[3])
        elif kind == "renamed":
            os.rename(self.full(entry[3]), self.full(entry[2]))

    def commit_names(self, path):
        """An fsync of directory `path`: the name changes in it are durable now."""
        keep = []
        for entry in self.undo:
            entry[1].discard(path)
            if entry[1]:
                keep.append(entry)
            elif entry[0] == "removed":
                trashed = entry[3]
                if os.path.isdir(trashed) and not os.path.islink(trashed):
                    shutil.rmtree(trashed, ignore_errors=True)
                elif os.path.lexists(trashed):
                    ino = os.lstat(trashed).st_ino
                    os.unlink(trashed)
                    self.forget_if_gone(ino)
        self.undo = keep

    # --- attributes and names --------------------------------------------------------------

    def getattr(self, path, fh=None):
        with self.mutex:
            self.alive()
            st = os.fstat(fh) if fh is not None else os.lstat(self.full(path))
            attrs = {
                k: getattr(st, k)
                for k in ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size", "st_ino")
            }
            for k in ("st_atime", "st_mtime", "st_ctime"):
                attrs[k] = getattr(st, k + "_ns") if hasattr(st, k + "_ns") else getattr(st, k)
            d = self.dirty.get(st.st_ino)
            if d is not None and stat.S_ISREG(st.st_mode):
                attrs["st_size"] = d.size
            return attrs

    def readdir(self, path, fh):
        with self.mutex:
            self.alive()
            return [".", ".."] + os.listdir(self.full(path))

    def statfs(self, path):
        sv = os.statvfs(self.root)
        return {k: getattr(sv, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail",
                                            "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

    def chmod(self, path, mode):
        with self.mutex:
            self.alive()
            os.chmod(self.full(path), mode)

    def chown(self, path, uid, gid):
        with self.mutex:
            self.alive()
            os.chown(self.full(path), uid, gid)

    def utimens(self, path, times=None):
        with self.mutex:
            self.alive()
            os.utime(self.full(path), ns=times) if times else os.utime(self.full(path))

    def mkdir(self, path, mode):
        with self.mutex:
            self.alive()
            os.mkdir(self.full(path), mode)
            self.log("created", [self.parent(path)], path)

    def rmdir(self, path):
        with self.mutex:
            self.alive()
            mode = stat.S_IMODE(os.lstat(self.full(path)).st_mode)
            os.rmdir(self.full(path))
            self.log("rmdir", [self.parent(path)], path, mode)

    def unlink(self, path):
        with self.mutex:
            self.alive()
            # Kept in the trash, not deleted: open handles still work, and a cut can restore it.
            self.log("removed", [self.parent(path)], path, self.to_trash(self.full(path)))

    def rename(self, old, new):
        with self.mutex:
            self.alive()
            dirs = [self.parent(old), self.parent(new)]
            if os.path.lexists(self.full(new)):
                self.log("removed", dirs, new, self.to_trash(self.full(new)))
            os.rename(self.full(old), self.full(new))
            self.log("renamed", dirs, old, new)

    def symlink(self, target, source):
        with self.mutex:
            self.alive()
            os.symlink(source, self.full(target))
            self.log("created", [self.parent(target)], target)

    def link(self, target, source):
        with self.mutex:
            self.alive()
            os.link(self.full(source), self.full(target))
            self.log("created", [self.parent(target)], target)

    def readlink(self, path):
        return os.readlink(self.full(path))

    # --- files ---------------------------------------------------------------------------

    def open_fd(self, full, flags):
        # Always read-write underneath: syncing writes the overlay through this handle.
        flags &= ~(os.O_TRUNC | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_ACCMODE)
        fd = os.open(full, flags | os.O_RDWR)
        self.fh_ino[fd] = os.fstat(fd).st_ino
        return fd

    def open(self, path, flags):
        with self.mutex:
            self.alive()
            return self.open_fd(self.full(path), flags)

    def create(self, path, mode, fi=None):
        with self.mutex:
            self.alive()
            full = self.full(path)
            existed = os.path.lexists(full)
            fd = os.open(full, os.O_RDWR | os.O_CREAT, mode)
            os.close(fd)
            if not existed:
                self.log("created", [self.parent(path)], path)
            return self.open_fd(full, 0)

    def release(self, path, fh):
        with self.mutex:
            ino = self.fh_ino.pop(fh, None)
            gone = os.fstat(fh).st_nlink == 0
            os.close(fh)
            if gone:
                self.forget_if_gone(ino)

    def forget_if_gone(self, ino):
        """A file with no name and no handle is gone: its overlay must not reappear on a reused inode."""
        if ino not in self.fh_ino.values():
            self.dirty.pop(ino, None)

    def flush(self, path, fh):
        with self.mutex:
            self.alive()

    def read(self, path, size, offset, fh):
        with self.mutex:
            self.alive()
            d = self.dirty.get(self.fh_ino[fh])
            if d is None:
                return os.pread(fh, size, offset)
            end = min(offset + size, d.size)
            if offset >= end:
                return b""
            buf = bytearray(end - offset)
            base_end = min(end, d.low)
            if base_end > offset:
                got = os.pread(fh, base_end - offset, offset)
                buf[: len(got)] = got
            for b in range(offset // BLOCK, (end - 1) // BLOCK + 1):
                blk = d.blocks.get(b)
                if blk is None:
                    continue
                start = b * BLOCK
                s, e = max(offset, start), min(end, start + BLOCK)
                buf[s - offset : e - offset] = blk[s - start : e - start]
            return bytes(buf)

    def write(self, path, data, offset, fh):
        with self.mutex:
            self.alive()
            d = self.dirty_of(self.fh_ino[fh], fh)
            pos, end = offset, offset + len(data)
            while pos < end:
                b = pos // BLOCK
                start = b * BLOCK
                n = min(end, start + BLOCK) - pos
                self.block(fh, d, b)[pos - start : pos - start + n] = data[pos - offset : pos - offset + n]
                pos += n
            d.size = max(d.size, end)
            return len(data)

    def truncate(self, path, length, fh=None):
        with self.mutex:
            self.alive()

            def do(fd):
                d = self.dirty_of(self.fh_ino.get(fd) or os.fstat(fd).st_ino, fd)
                if length < d.size:
                    for b in [b for b in d.blocks if b * BLOCK >= length]:
                        del d.blocks[b]
                    tail = d.blocks.get(length // BLOCK)
                    if tail is not None:
                        cut_at = length % BLOCK
                        tail[cut_at:] = bytes(BLOCK - cut_at)
                    d.low = min(d.low, length)
                d.size = length

            self.with_fd(path, fh, do)

    def fsync(self, path, datasync, fh):
        with self.mutex:
            self.alive()
            ino = self.fh_ino[fh]
            d = self.dirty.pop(ino, None)
            if d is None:
                return 0
            if d.low < os.fstat(fh).st_size:
                os.ftruncate(fh, d.low)
            for b in sorted(d.blocks):
                start = b * BLOCK
                n = min(BLOCK, d.size - start)
                if n > 0:
                    os.pwrite(fh, bytes(d.blocks[b][:n]), start)
            os.ftruncate(fh, d.size)
            return 0

    def opendir(self, path):
        with self.mutex:
            self.alive()
            return 0

    def fsyncdir(self, path, datasync, fh):
        with self.mutex:
            self.alive()
            self.commit_names(path or "/")
            return 0


def control(fs, mountpoint):
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "cut":
            fs.cut()
            print("cut", flush=True)
        elif cmd == "exit":
            break
    fs.cut()
    subprocess.run(["umount", "-l", mountpoint], check=False)


def main():
    medium, mountpoint = sys.argv[1], sys.argv[2]
    fs = PowerCutFs(medium, mountpoint)

    def init(path):
        print("ready", flush=True)
        threading.Thread(target=control, args=(fs, mountpoint), daemon=True).start()

    fs.init = init
    # hard_remove: unlink goes to us even while the file is open (no .fuse_hidden renames);
    # attribute and entry caches off, so every size the kernel shows comes from the overlay.
    fusepy.FUSE(fs, mountpoint, foreground=True, nothreads=False, hard_remove=True, big_writes=True,
                max_write=131072, attr_timeout=0, entry_timeout=0, fsname="powercut", subtype="powercut")


if __name__ == "__main__":
    main()
