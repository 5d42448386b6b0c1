package node

// ObserveWrites makes f see every write the driver makes on a connection,
// in the order they are made, before each is made (f must not keep bufs).
// It is for the tests of package node_test.
func (s *Server) ObserveWrites(f func(id ConnID, bufs [][]byte)) { s.onWrite.Store(&f) }
