package imap4

// StoreOp is how STORE changes the flags (RFC 3501 §6.4.6).
type StoreOp uint8

const (
	StoreReplace StoreOp = iota // FLAGS
	StoreAdd                    // +FLAGS
	StoreRemove                 // -FLAGS
)

// StoreArgs: STORE SP sequence-set SP [store-modifiers SP] store-att-flags
// (RFC 3501 §6.4.6, UNCHANGEDSINCE RFC 7162 §3.1.3).
type StoreArgs struct {
	Set    SeqSet
	Op     StoreOp
	Silent bool
	Flags  []string
	// UnchangedSince is the UNCHANGEDSINCE value (0 is valid: RFC 7162
	// §3.1.3 then fails for every message with a mod-sequence).
	UnchangedSince    uint64
	HasUnchangedSince bool
}

// CopyArgs: COPY/MOVE SP sequence-set SP mailbox (RFC 3501 §6.4.7, RFC
// 6851 §3.1).
type CopyArgs struct {
	Set     SeqSet
	Mailbox string
}

// ExpungeArgs: UID EXPUNGE SP sequence-set (RFC 4315 §2.1).
type ExpungeArgs struct {
	Set SeqSet
}

func (*StoreArgs) isArgs()   {}
func (*CopyArgs) isArgs()    {}
func (*ExpungeArgs) isArgs() {}

func parseStore(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	set, err := r.seqSet()
	if err != nil {
		return nil, err
	}
	if err := r.sp(); err != nil {
		return nil, err
	}
	a := &StoreArgs{Set: set}
	if r.peek() == '(' && !r.eof() {
		err := r.list(false, func() error {
			name, err := r.keyword("store modifier")
			if err != nil {
				return err
			}
			if name != "UNCHANGEDSINCE" {
				return r.errorf("unknown store modifier %s", name)
			}
			if err := r.sp(); err != nil {
				return err
			}
			a.UnchangedSince, err = r.number64("mod-sequence", maxModSeq)
			a.HasUnchangedSince = true
			return err
		})
		if err != nil {
			return nil, err
		}
		if err := r.sp(); err != nil {
			return nil, err
		}
	}
	switch r.peek() {
	case '+':
		a.Op = StoreAdd
		r.pos++
	case '-':
		a.Op = StoreRemove
		r.pos++
	}
	item, err := r.keyword("FLAGS")
	if err != nil {
		return nil, err
	}
	switch item {
	case "FLAGS":
	case "FLAGS.SILENT":
		a.Silent = true
	default:
		return nil, r.errorf("expected FLAGS or FLAGS.SILENT, got %s", item)
	}
	if err := r.sp(); err != nil {
		return nil, err
	}
	if r.peek() == '(' && !r.eof() {
		if a.Flags, err = r.flagList(); err != nil {
			return nil, err
		}
		return a, nil
	}
	for {
		f, err := r.flag()
		if err != nil {
			return nil, err
		}
		a.Flags = append(a.Flags, f)
		if !r.maybeSP() {
			return a, nil
		}
	}
}

func parseCopy(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	set, err := r.seqSet()
	if err != nil {
		return nil, err
	}
	if err := r.sp(); err != nil {
		return nil, err
	}
	m, err := r.mailbox()
	if err != nil {
		return nil, err
	}
	return &CopyArgs{Set: set, Mailbox: m}, nil
}

func parseUIDExpunge(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	set, err := r.seqSet()
	if err != nil {
		return nil, err
	}
	return &ExpungeArgs{Set: set}, nil
}
