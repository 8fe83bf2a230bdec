package workflows

// Workflow is a loaded and validated workflow definition.
type Workflow struct {
	// Name is the workflow id: the file name without .yaml/.yml.
	Name string
	// File is the path the workflow was loaded from (or the name given to Load).
	File string
	// Revision identifies the source contents (a short hash), like a workflow revision id.
	Revision string
	main     *routine
	subs     map[string]*routine
}

// Subworkflows lists the names of the workflow's subworkflows (for tests and tooling).
func (w *Workflow) Subworkflows() []string {
	var out []string
	for n := range w.subs {
		out = append(out, n)
	}
	return out
}

type routine struct {
	name   string
	params []param
	steps  []*step
	line   int
}

type param struct {
	name       string
	def        tmpl
	hasDefault bool
}

type stepKind int

const (
	kNext stepKind = iota // a step (or switch condition) with only `next`
	kAssign
	kCall
	kSwitch
	kFor
	kParallel
	kTry
	kRaise
	kReturn
	kSteps
)

type step struct {
	name     string
	line     int
	kind     stepKind
	assign   []assignment
	call     string
	args     map[string]tmpl
	result   string
	cases    []*switchCase
	next     string
	loop     *forLoop
	parallel *parallelStep
	try      *step
	retry    *retryPolicy
	except   *exceptBlock
	value    tmpl // raise and return
	steps    []*step
}

type assignment struct {
	target exprNode
	root   string
	value  tmpl
	line   int
}

type switchCase struct {
	cond tmpl
	line int
	body *step
}

type forLoop struct {
	value, index string
	in           tmpl
	rng          tmpl
	steps        []*step
	line         int
}

type parallelStep struct {
	shared   []string
	limit    tmpl
	branches []*branch
	loop     *forLoop
	line     int
}

type branch struct {
	name  string
	steps []*step
	line  int
}

type retryPolicy struct {
	predicate  string // a standard-library predicate or a subworkflow name
	maxRetries tmpl
	initial    tmpl
	maxDelay   tmpl
	multiplier tmpl
	line       int
}

type exceptBlock struct {
	as    string
	steps []*step
	line  int
}

// Templates: YAML values in which strings of the form ${...} are expressions.
type tmpl interface{}

type exprTmpl struct {
	node exprNode
	src  string
	line int
}

type listTmpl []tmpl

type mapTmpl struct {
	keys []string
	vals []tmpl
}
