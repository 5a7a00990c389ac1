//go:build !linux && !darwin

package fileversion

import "os"

func identity(os.FileInfo) (dev, ino uint64, change int64) { return 0, 0, 0 }
