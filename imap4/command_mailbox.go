package imap4

// SelectArgs: SELECT/EXAMINE SP mailbox [SP "(" select-param *(SP
// select-param) ")"] (RFC 3501 §6.3.1, RFC 4466 §2.1, RFC 7162 §3.1.8,
// §3.2.5).
type SelectArgs struct {
	Mailbox   string
	CondStore bool
	QResync   *QResyncParams
}

// QResyncParams: QRESYNC SP "(" uidvalidity SP mod-sequence-value [SP
// known-uids] [SP seq-match-data] ")" (RFC 7162 §3.2.5).
type QResyncParams struct {
	UIDValidity  uint32
	ModSeq       uint64
	KnownUIDs    SeqSet // zero value when absent
	HasKnownUIDs bool
	// SeqMatch is the optional "(" known-sequence-set SP known-uid-set ")".
	SeqMatch *SeqMatch
}

// SeqMatch pairs message sequence numbers with the UIDs the client knew.
type SeqMatch struct {
	Seqs, UIDs SeqSet
}

// MailboxArgs: commands with one mailbox argument: DELETE, SUBSCRIBE,
// UNSUBSCRIBE (RFC 3501 §6.3), GETQUOTAROOT (RFC 9208 §4.3), GETACL and
// MYRIGHTS (RFC 4314 §3.3, §3.5).
type MailboxArgs struct {
	Mailbox string
}

// CreateArgs: CREATE SP mailbox [SP "(" create-param ")"] (RFC 3501 §6.3.3,
// RFC 4466 §2.2); the only parameter is USE (RFC 6154 §3).
type CreateArgs struct {
	Mailbox    string
	SpecialUse []string // e.g. `\Sent`; nil without USE
}

// RenameArgs: RENAME SP mailbox SP mailbox (RFC 3501 §6.3.5).
type RenameArgs struct {
	From, To string
}

// ListArgs: LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP
// list-return-opts] (RFC 3501 §6.3.8, RFC 5258 §3, RFC 5819 §2) and LSUB
// (RFC 3501 §6.3.9, LSUB true).
type ListArgs struct {
	LSUB      bool
	Reference string
	Patterns  []string
	// Extended is true when the RFC 5258 syntax was used (selection
	// options, a pattern list or return options).
	Extended   bool
	SelectOpts []string // upper case: SUBSCRIBED, REMOTE, RECURSIVEMATCH, SPECIAL-USE
	ReturnOpts []string // upper case: SUBSCRIBED, CHILDREN, SPECIAL-USE, STATUS
	// ReturnStatus holds the items of RETURN (STATUS (...)) (RFC 5819).
	ReturnStatus []string
}

// StatusArgs: STATUS SP mailbox SP "(" status-att *(SP status-att) ")"
// (RFC 3501 §6.3.10, HIGHESTMODSEQ RFC 7162 §3.1.6, SIZE RFC 8438,
// DELETED RFC 9051, APPENDLIMIT RFC 7889).
type StatusArgs struct {
	Mailbox string
	Items   []string // upper case
}

func (*SelectArgs) isArgs()  {}
func (*MailboxArgs) isArgs() {}
func (*CreateArgs) isArgs()  {}
func (*RenameArgs) isArgs()  {}
func (*ListArgs) isArgs()    {}
func (*StatusArgs) isArgs()  {}

func parseMailboxArg(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	m, err := r.mailbox()
	if err != nil {
		return nil, err
	}
	return &MailboxArgs{Mailbox: m}, nil
}

func parseSelect(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	m, err := r.mailbox()
	if err != nil {
		return nil, err
	}
	a := &SelectArgs{Mailbox: m}
	if !r.maybeSP() {
		return a, nil
	}
	err = r.list(false, func() error {
		name, err := r.keyword("select parameter")
		if err != nil {
			return err
		}
		switch name {
		case "CONDSTORE":
			a.CondStore = true
			return nil
		case "QRESYNC":
			if a.QResync != nil {
				return r.errorf("QRESYNC given twice")
			}
			if err := r.sp(); err != nil {
				return err
			}
			a.QResync, err = parseQResync(r)
			return err
		}
		return r.errorf("unknown select parameter %s", name)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// parseQResync parses the QRESYNC parameter list (RFC 7162 §3.2.5).
func parseQResync(r *reader) (*QResyncParams, error) {
	q := &QResyncParams{}
	var err error
	if err = r.open(); err != nil {
		return nil, err
	}
	if q.UIDValidity, err = r.nzNumber("UIDVALIDITY"); err != nil {
		return nil, err
	}
	if err = r.sp(); err != nil {
		return nil, err
	}
	if q.ModSeq, err = r.number64("mod-sequence", maxModSeq); err != nil {
		return nil, err
	}
	if r.maybeSP() {
		if r.peek() != '(' {
			if q.KnownUIDs, err = r.seqSet(); err != nil {
				return nil, err
			}
			if q.KnownUIDs.Saved || q.KnownUIDs.Dynamic() {
				return nil, r.errorf("known-uids must not contain \"*\" or \"$\"")
			}
			q.HasKnownUIDs = true
			if r.maybeSP() && r.peek() != '(' {
				return nil, r.errorf("expected sequence match data, got %s", r.what())
			}
		}
		if r.peek() == '(' && !r.eof() {
			m := &SeqMatch{}
			if err = r.open(); err != nil {
				return nil, err
			}
			if m.Seqs, err = r.seqSet(); err != nil {
				return nil, err
			}
			if err = r.sp(); err != nil {
				return nil, err
			}
			if m.UIDs, err = r.seqSet(); err != nil {
				return nil, err
			}
			if err = r.close(); err != nil {
				return nil, err
			}
			if m.Seqs.Dynamic() || m.UIDs.Dynamic() {
				return nil, r.errorf("sequence match data must not contain \"*\" or \"$\"")
			}
			q.SeqMatch = m
		}
	}
	if err = r.close(); err != nil {
		return nil, err
	}
	return q, nil
}

func parseCreate(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	m, err := r.mailbox()
	if err != nil {
		return nil, err
	}
	a := &CreateArgs{Mailbox: m}
	if !r.maybeSP() {
		return a, nil
	}
	err = r.list(false, func() error {
		name, err := r.keyword("create parameter")
		if err != nil {
			return err
		}
		if name != "USE" {
			return r.errorf("unknown create parameter %s", name)
		}
		if err := r.sp(); err != nil {
			return err
		}
		use, err := r.flagList()
		a.SpecialUse = append(a.SpecialUse, use...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func parseRename(r *reader) (Args, error) {
	a := &RenameArgs{}
	var err error
	if err = r.sp(); err != nil {
		return nil, err
	}
	if a.From, err = r.mailbox(); err != nil {
		return nil, err
	}
	if err = r.sp(); err != nil {
		return nil, err
	}
	if a.To, err = r.mailbox(); err != nil {
		return nil, err
	}
	return a, nil
}

func parseList(r *reader) (Args, error) {
	a := &ListArgs{}
	if err := r.sp(); err != nil {
		return nil, err
	}
	if r.peek() == '(' && !r.eof() {
		a.Extended = true
		a.SelectOpts = []string{}
		err := r.list(true, func() error {
			opt, err := r.keyword("selection option")
			a.SelectOpts = append(a.SelectOpts, opt)
			return err
		})
		if err != nil {
			return nil, err
		}
		if err := r.sp(); err != nil {
			return nil, err
		}
	}
	ref, err := r.astring("reference name")
	if err != nil {
		return nil, err
	}
	a.Reference = ref
	if err := r.sp(); err != nil {
		return nil, err
	}
	if r.peek() == '(' && !r.eof() {
		a.Extended = true
		err = r.list(false, func() error {
			pat, err := r.listMailbox()
			a.Patterns = append(a.Patterns, pat)
			return err
		})
	} else {
		var pat string
		pat, err = r.listMailbox()
		a.Patterns = []string{pat}
	}
	if err != nil {
		return nil, err
	}
	if !r.maybeSP() {
		return a, nil
	}
	kw, err := r.keyword("RETURN")
	if err != nil {
		return nil, err
	}
	if kw != "RETURN" {
		return nil, r.errorf("expected RETURN, got %s", kw)
	}
	if err := r.sp(); err != nil {
		return nil, err
	}
	a.Extended = true
	a.ReturnOpts = []string{}
	err = r.list(true, func() error {
		opt, err := r.keyword("return option")
		if err != nil {
			return err
		}
		a.ReturnOpts = append(a.ReturnOpts, opt)
		if opt == "STATUS" {
			if err := r.sp(); err != nil {
				return err
			}
			items, err := parseStatusItems(r)
			a.ReturnStatus = append(a.ReturnStatus, items...)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func parseLsub(r *reader) (Args, error) {
	a := &ListArgs{LSUB: true}
	var err error
	if err = r.sp(); err != nil {
		return nil, err
	}
	if a.Reference, err = r.astring("reference name"); err != nil {
		return nil, err
	}
	if err = r.sp(); err != nil {
		return nil, err
	}
	pat, err := r.listMailbox()
	if err != nil {
		return nil, err
	}
	a.Patterns = []string{pat}
	return a, nil
}

func parseStatus(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	m, err := r.mailbox()
	if err != nil {
		return nil, err
	}
	if err := r.sp(); err != nil {
		return nil, err
	}
	items, err := parseStatusItems(r)
	if err != nil {
		return nil, err
	}
	return &StatusArgs{Mailbox: m, Items: items}, nil
}

// parseStatusItems parses "(" status-att *(SP status-att) ")".
func parseStatusItems(r *reader) ([]string, error) {
	var items []string
	err := r.list(false, func() error {
		item, err := r.keyword("status item")
		if err != nil {
			return err
		}
		switch item {
		case "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN",
			"HIGHESTMODSEQ", "SIZE", "DELETED", "APPENDLIMIT":
			items = append(items, item)
			return nil
		}
		return r.errorf("unknown status item %s", item)
	})
	return items, err
}
