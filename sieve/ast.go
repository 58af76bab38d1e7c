package sieve

// argKind tells what an argument is (RFC 5228 §2.6, §8.2).
type argKind int

const (
	argString argKind = iota // a single string
	argList                  // a bracketed string-list
	argNumber
	argTag
)

// astArg is one argument of a command or test as written.
type astArg struct {
	kind argKind
	pos  Pos
	strs []string // argString (one element) and argList
	spos []Pos    // position of each string
	num  int64
	tag  string
}

// astTest is a test as written: identifier arguments [test / test-list].
type astTest struct {
	pos   Pos
	name  string
	args  []astArg
	tests []*astTest
	list  bool // tests came from a parenthesised test-list
}

// astCommand is a command as written (RFC 5228 §8.2).
type astCommand struct {
	pos      Pos
	name     string
	args     []astArg
	tests    []*astTest
	list     bool
	block    []*astCommand
	hasBlock bool
}

// strPos returns the position of string i of the argument.
func (a astArg) strPos(i int) Pos {
	if i < len(a.spos) {
		return a.spos[i]
	}
	return a.pos
}
