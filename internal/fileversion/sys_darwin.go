package fileversion

import (
	"os"
	"syscall"
)

func identity(st os.FileInfo) (dev, ino uint64, change int64) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0
	}
	return uint64(s.Dev), uint64(s.Ino), int64(s.Ctimespec.Sec)*1e9 + int64(s.Ctimespec.Nsec)
}
