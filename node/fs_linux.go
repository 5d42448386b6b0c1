package node

import "syscall"

// syncFileRangeWrite is SYNC_FILE_RANGE_WRITE: start writeback of the
// dirty pages of the range without waiting for it.
const syncFileRangeWrite = 2

// StartWriteback implements WritebackStarter with sync_file_range.
func (f osFile) StartWriteback() error {
	_, _, errno := syscall.Syscall6(syscall.SYS_SYNC_FILE_RANGE, f.Fd(), 0, 0, syncFileRangeWrite, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
