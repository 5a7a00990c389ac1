// Package fileversion tells one version of a file from another, for the
// checks and caches that must not take a rewritten input for the one they
// read.
package fileversion

import "os"

// Version is what identifies one version of a file: which file it is
// (device and inode: a file replaced by a rename is another one), its size,
// its modification time, and the time its inode last changed. The last is
// what tells a file rewritten in place with its size and modification time
// kept (`cp -p`, `rsync -a`, `touch -r` after an edit) from the file as it
// was: setting a file's times sets its change time to the present, and no
// user can set it back. Version is comparable: two stats of one unchanged
// file give equal Versions.
type Version struct {
	Dev, Ino    uint64
	Size        int64
	Mod, Change int64 // Unix nanoseconds
}

// Of is the Version of the file st describes. Where the system gives no
// device, inode or change time (see sys_*.go) they are zero, and a Version
// is its size and modification time alone.
func Of(st os.FileInfo) Version {
	v := Version{Size: st.Size(), Mod: st.ModTime().UnixNano()}
	v.Dev, v.Ino, v.Change = identity(st)
	return v
}

// Stat is the Version of the file at path.
func Stat(path string) (Version, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Version{}, err
	}
	return Of(st), nil
}
