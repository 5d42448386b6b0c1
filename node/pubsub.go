package node

// resetPubSub leaves every channel and pattern (RESET, and a client that
// goes away).
func (n *Node) resetPubSub(c *client) { c.flags &^= flagPubSub }
