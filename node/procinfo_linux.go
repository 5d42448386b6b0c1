package node

import "syscall"

// totalSystemMemory returns the machine's memory in bytes (INFO memory's
// total_system_memory).
func totalSystemMemory() int64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}
