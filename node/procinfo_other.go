//go:build !linux

package node

// totalSystemMemory returns 0 where the machine's memory is not read
// (INFO memory's total_system_memory shows 0, as Redis does when it cannot
// tell).
func totalSystemMemory() int64 { return 0 }
