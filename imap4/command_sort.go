package imap4

// SortCriterion is one sort-criterion: ["REVERSE" SP] sort-key (RFC 5256
// §3, DISPLAYFROM/DISPLAYTO RFC 5957).
type SortCriterion struct {
	Key     string // upper case: ARRIVAL CC DATE FROM SIZE SUBJECT TO DISPLAYFROM DISPLAYTO
	Reverse bool
}

// SortArgs: SORT [SP search-return-opts] SP sort-criteria SP
// search-charset SP search-program (RFC 5256 §3, RETURN RFC 5267 §3.2).
type SortArgs struct {
	Return    []string
	HasReturn bool
	Criteria  []SortCriterion
	Charset   string // upper case
	Key       *SearchKey
}

// ThreadArgs: THREAD SP thread-alg SP search-charset 1*(SP search-key)
// (RFC 5256 §3). The algorithm is not checked here: the handler answers
// unsupported ones (spec 6.2: THREAD=REFERENCES is refused with BAD).
type ThreadArgs struct {
	Algorithm string // upper case, e.g. ORDEREDSUBJECT
	Charset   string // upper case
	Key       *SearchKey
}

func (*SortArgs) isArgs()   {}
func (*ThreadArgs) isArgs() {}

func parseSort(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	a := &SortArgs{}
	if err := parseSearchReturn(r, &a.Return, &a.HasReturn); err != nil {
		return nil, err
	}
	err := r.list(false, func() error {
		key, err := r.keyword("sort key")
		if err != nil {
			return err
		}
		var c SortCriterion
		if key == "REVERSE" {
			c.Reverse = true
			if err := r.sp(); err != nil {
				return err
			}
			if key, err = r.keyword("sort key"); err != nil {
				return err
			}
		}
		switch key {
		case "ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO":
		default:
			return r.errorf("unknown sort key %s", key)
		}
		c.Key = key
		a.Criteria = append(a.Criteria, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if a.Charset, a.Key, err = parseCharsetProgram(r); err != nil {
		return nil, err
	}
	return a, nil
}

func parseThread(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	alg, err := r.keyword("thread algorithm")
	if err != nil {
		return nil, err
	}
	a := &ThreadArgs{Algorithm: alg}
	if a.Charset, a.Key, err = parseCharsetProgram(r); err != nil {
		return nil, err
	}
	return a, nil
}

// parseCharsetProgram parses SP search-charset SP search-program, where the
// charset is mandatory (RFC 5256 §3).
func parseCharsetProgram(r *reader) (string, *SearchKey, error) {
	if err := r.sp(); err != nil {
		return "", nil, err
	}
	cs, err := r.astring("charset")
	if err != nil {
		return "", nil, err
	}
	if err := r.sp(); err != nil {
		return "", nil, err
	}
	_, key, err := parseSearchProgram(r, false)
	return upperASCII(cs), key, err
}
