package node

// aclCheckCommand returns the NOPERM error for a command c's user may not
// run (on these keys and channels), or "" when it is allowed. Users other
// than "default" with full permissions arrive with the ACL implementation.
func (n *Node) aclCheckCommand(c *client, cmd *Command) string {
	if n.acl == nil {
		return ""
	}
	return n.acl.check(n, c, cmd)
}

// aclHooks is the ACL implementation's view of the node.
type aclHooks interface {
	check(n *Node, c *client, cmd *Command) string
}
