package workflows

import (
	"errors"
	"fmt"
)

// Error tags documented for Cloud Workflows error maps (reference/syntax/error-types).
const (
	tagHTTP             = "HttpError"
	tagConnection       = "ConnectionError"
	tagConnectionFailed = "ConnectionFailedError"
	tagTimeout          = "TimeoutError"
	tagType             = "TypeError"
	tagValue            = "ValueError"
	tagKey              = "KeyError"
	tagIndex            = "IndexError"
	tagZeroDivision     = "ZeroDivisionError"
	tagResourceLimit    = "ResourceLimitError"
	tagRecursion        = "RecursionError"
	tagUnhandledBranch  = "UnhandledBranchError"
	tagResponseType     = "ResponseTypeError"
	tagSystem           = "SystemError"
	tagAuth             = "AuthError"
	tagParallelNesting  = "ParallelNestingError"
)

// Raised is a workflow exception: the value given to raise (a string or a map) or an error map
// with tags and message produced by the runtime. It is what `except: as: e` binds.
type Raised struct {
	Value   any
	Routine string
	Step    string
	Line    int
}

func (r *Raised) Error() string {
	return "workflow error: " + valueString(r.Value)
}

// newErr builds a runtime error map like the ones Workflows raises.
func newErr(tag, format string, args ...any) *Raised {
	return &Raised{Value: map[string]any{
		"tags":    []any{tag},
		"message": fmt.Sprintf(format, args...),
	}}
}

// errTags lists the tags of a raised value; a raised string has none.
func errTags(v any) []string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	list, _ := m["tags"].([]any)
	var out []string
	for _, t := range list {
		if s, ok := t.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func hasTag(v any, tag string) bool {
	for _, t := range errTags(v) {
		if t == tag {
			return true
		}
	}
	return false
}

// errCancelled stops an execution at the next step boundary, sleep or HTTP call; it cannot be
// caught by try/except.
var errCancelled = errors.New("execution cancelled")

// asRaised reports whether err is a catchable workflow exception.
func asRaised(err error) (*Raised, bool) {
	var r *Raised
	if errors.As(err, &r) {
		return r, true
	}
	return nil, false
}

// LoadError is a problem found when a workflow file is loaded: syntax the emulator does not
// support, a malformed step, an unknown function. File and Line point at the offending node.
type LoadError struct {
	File string
	Line int
	Msg  string
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// LoadErrors is every problem found in one file.
type LoadErrors []*LoadError

func (es LoadErrors) Error() string {
	s := ""
	for i, e := range es {
		if i > 0 {
			s += "\n"
		}
		s += e.Error()
	}
	return s
}
