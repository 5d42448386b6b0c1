package replication

// LogLevel is the severity of a line Redis would write to its log at the
// same point. The node maps it to its own logger.
type LogLevel uint8

// Log levels, Redis's LL_VERBOSE, LL_NOTICE and LL_WARNING.
const (
	LogVerbose LogLevel = iota + 1
	LogNotice
	LogWarning
)

// String returns the level's name as in Redis's loglevel directive.
func (l LogLevel) String() string {
	switch l {
	case LogVerbose:
		return "verbose"
	case LogNotice:
		return "notice"
	case LogWarning:
		return "warning"
	}
	return "unknown"
}

// LogLine is one line Redis would log, word for word (without its
// timestamp prefix).
type LogLine struct {
	Level LogLevel
	Text  string
}

func notice(text string) LogLine  { return LogLine{LogNotice, text} }
func warning(text string) LogLine { return LogLine{LogWarning, text} }
