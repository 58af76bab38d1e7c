package imap4

import "time"

// SearchKind names a node of the search key tree (RFC 3501 §6.4.4).
type SearchKind uint8

const (
	SearchAll        SearchKind = iota + 1 // ALL
	SearchAnd                              // parenthesised list or the implicit AND of the program
	SearchOr                               // OR key1 key2
	SearchNot                              // NOT key
	SearchSeqSet                           // sequence-set (or "$", RFC 5182)
	SearchUID                              // UID sequence-set
	SearchFlag                             // ANSWERED, SEEN, RECENT, KEYWORD k, ...: Flag is set
	SearchNotFlag                          // UNANSWERED, UNSEEN, OLD, UNKEYWORD k, ...: Flag is not set
	SearchHeader                           // FROM/TO/CC/BCC/SUBJECT/HEADER: Field contains Text
	SearchBody                             // BODY text
	SearchText                             // TEXT text
	SearchBefore                           // BEFORE date (internal date)
	SearchOn                               // ON date
	SearchSince                            // SINCE date
	SearchSentBefore                       // SENTBEFORE date (Date: header)
	SearchSentOn                           // SENTON date
	SearchSentSince                        // SENTSINCE date
	SearchLarger                           // LARGER n
	SearchSmaller                          // SMALLER n
	SearchOlder                            // OLDER seconds (RFC 5032)
	SearchYounger                          // YOUNGER seconds (RFC 5032)
	SearchModSeq                           // MODSEQ [entry type] n (RFC 7162 §3.1.5)
)

// SearchKey is one node of the search tree. NEW is parsed as AND(RECENT,
// UNSEEN) and OLD as NOT-flag \Recent, so handlers see few kinds.
type SearchKey struct {
	Kind     SearchKind
	Children []*SearchKey // And, Or (two), Not (one)
	Set      SeqSet       // SeqSet, UID
	Flag     string       // Flag, NotFlag: `\Seen` or a keyword
	Field    string       // Header: the field name ("From", "Subject", or HEADER's argument)
	Text     string       // Header, Body, Text
	Date     time.Time    // date keys: midnight UTC of the day
	Number   uint64       // Larger, Smaller, Older, Younger, ModSeq
	// ModSeq entry (RFC 7162 §3.1.5): EntryName like "/flags/\\seen" and
	// EntryType "priv", "shared" or "all"; empty when not given.
	EntryName, EntryType string
}

// SearchArgs: SEARCH [SP search-return-opts] SP ["CHARSET" SP astring SP]
// search-key *(SP search-key) (RFC 3501 §6.4.4, RFC 4466 §2.6, RFC 4731
// §3, RFC 5182 §2).
type SearchArgs struct {
	// Return holds the RETURN options (MIN MAX ALL COUNT SAVE), upper case;
	// HasReturn distinguishes "RETURN ()" (meaning ALL) from no RETURN.
	Return    []string
	HasReturn bool
	Charset   string // upper case; "" when not given
	Key       *SearchKey
}

func (*SearchArgs) isArgs() {}

func parseSearch(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	a := &SearchArgs{}
	if err := parseSearchReturn(r, &a.Return, &a.HasReturn); err != nil {
		return nil, err
	}
	var err error
	a.Charset, a.Key, err = parseSearchProgram(r, true)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// parseSearchReturn parses an optional "RETURN" SP "(" [opt *(SP opt)] ")"
// SP (RFC 4731 §3, SAVE RFC 5182 §2.1).
func parseSearchReturn(r *reader, opts *[]string, has *bool) error {
	if r.pos+6 > len(r.b) || !asciiEqualFold(string(r.b[r.pos:r.pos+6]), "RETURN") ||
		(r.pos+6 < len(r.b) && r.b[r.pos+6] != ' ') {
		return nil
	}
	r.pos += 6
	if err := r.sp(); err != nil {
		return err
	}
	*has = true
	*opts = []string{}
	err := r.list(true, func() error {
		opt, err := r.keyword("search return option")
		if err != nil {
			return err
		}
		switch opt {
		case "MIN", "MAX", "ALL", "COUNT", "SAVE":
			*opts = append(*opts, opt)
			return nil
		}
		return r.errorf("unknown search return option %s", opt)
	})
	if err != nil {
		return err
	}
	return r.sp()
}

// parseSearchProgram parses [CHARSET SP astring SP] 1*search-key separated
// by SP (when optionalCharset) and returns the keys as one AND node, or the
// single key.
func parseSearchProgram(r *reader, optionalCharset bool) (string, *SearchKey, error) {
	var charset string
	if optionalCharset && r.pos+7 <= len(r.b) && asciiEqualFold(string(r.b[r.pos:r.pos+7]), "CHARSET") &&
		(r.pos+7 == len(r.b) || r.b[r.pos+7] == ' ') {
		r.pos += 7
		if err := r.sp(); err != nil {
			return "", nil, err
		}
		cs, err := r.astring("charset")
		if err != nil {
			return "", nil, err
		}
		charset = upperASCII(cs)
		if err := r.sp(); err != nil {
			return "", nil, err
		}
	}
	var keys []*SearchKey
	for {
		k, err := r.searchKey()
		if err != nil {
			return "", nil, err
		}
		keys = append(keys, k)
		if !r.maybeSP() {
			break
		}
	}
	if len(keys) == 1 {
		return charset, keys[0], nil
	}
	return charset, &SearchKey{Kind: SearchAnd, Children: keys}, nil
}

func flagKey(kind SearchKind, flag string) *SearchKey {
	return &SearchKey{Kind: kind, Flag: flag}
}

// searchKey parses one search-key (RFC 3501 §9, RFC 5032 §3, RFC 7162
// §3.1.5).
func (r *reader) searchKey() (*SearchKey, error) {
	c := r.peek()
	if r.eof() {
		return nil, r.errorf("expected search key, got end of line")
	}
	if c == '(' {
		k := &SearchKey{Kind: SearchAnd}
		err := r.list(false, func() error {
			child, err := r.searchKey()
			k.Children = append(k.Children, child)
			return err
		})
		if err != nil {
			return nil, err
		}
		return k, nil
	}
	if (c >= '0' && c <= '9') || c == '*' || c == '$' {
		set, err := r.seqSet()
		if err != nil {
			return nil, err
		}
		return &SearchKey{Kind: SearchSeqSet, Set: set}, nil
	}
	name, err := r.keyword("search key")
	if err != nil {
		return nil, err
	}
	switch name {
	case "ALL":
		return &SearchKey{Kind: SearchAll}, nil
	case "ANSWERED":
		return flagKey(SearchFlag, `\Answered`), nil
	case "DELETED":
		return flagKey(SearchFlag, `\Deleted`), nil
	case "DRAFT":
		return flagKey(SearchFlag, `\Draft`), nil
	case "FLAGGED":
		return flagKey(SearchFlag, `\Flagged`), nil
	case "RECENT":
		return flagKey(SearchFlag, `\Recent`), nil
	case "SEEN":
		return flagKey(SearchFlag, `\Seen`), nil
	case "UNANSWERED":
		return flagKey(SearchNotFlag, `\Answered`), nil
	case "UNDELETED":
		return flagKey(SearchNotFlag, `\Deleted`), nil
	case "UNDRAFT":
		return flagKey(SearchNotFlag, `\Draft`), nil
	case "UNFLAGGED":
		return flagKey(SearchNotFlag, `\Flagged`), nil
	case "UNSEEN":
		return flagKey(SearchNotFlag, `\Seen`), nil
	case "OLD":
		return flagKey(SearchNotFlag, `\Recent`), nil
	case "NEW":
		return &SearchKey{Kind: SearchAnd, Children: []*SearchKey{
			flagKey(SearchFlag, `\Recent`), flagKey(SearchNotFlag, `\Seen`)}}, nil
	case "KEYWORD", "UNKEYWORD":
		if err := r.sp(); err != nil {
			return nil, err
		}
		kw, err := r.flag()
		if err != nil {
			return nil, err
		}
		if name == "KEYWORD" {
			return flagKey(SearchFlag, kw), nil
		}
		return flagKey(SearchNotFlag, kw), nil
	case "BCC", "CC", "FROM", "SUBJECT", "TO":
		if err := r.sp(); err != nil {
			return nil, err
		}
		text, err := r.astring("search text")
		if err != nil {
			return nil, err
		}
		return &SearchKey{Kind: SearchHeader, Field: headerFieldName(name), Text: text}, nil
	case "HEADER":
		if err := r.sp(); err != nil {
			return nil, err
		}
		field, err := r.astring("header field name")
		if err != nil {
			return nil, err
		}
		if err := r.sp(); err != nil {
			return nil, err
		}
		text, err := r.astring("search text")
		if err != nil {
			return nil, err
		}
		return &SearchKey{Kind: SearchHeader, Field: field, Text: text}, nil
	case "BODY", "TEXT":
		if err := r.sp(); err != nil {
			return nil, err
		}
		text, err := r.astring("search text")
		if err != nil {
			return nil, err
		}
		kind := SearchBody
		if name == "TEXT" {
			kind = SearchText
		}
		return &SearchKey{Kind: kind, Text: text}, nil
	case "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE":
		if err := r.sp(); err != nil {
			return nil, err
		}
		d, err := r.date()
		if err != nil {
			return nil, err
		}
		return &SearchKey{Kind: dateKind(name), Date: d}, nil
	case "LARGER", "SMALLER":
		if err := r.sp(); err != nil {
			return nil, err
		}
		n, err := r.number64("size", 1<<63-1)
		if err != nil {
			return nil, err
		}
		kind := SearchLarger
		if name == "SMALLER" {
			kind = SearchSmaller
		}
		return &SearchKey{Kind: kind, Number: n}, nil
	case "OLDER", "YOUNGER":
		if err := r.sp(); err != nil {
			return nil, err
		}
		n, err := r.nzNumber("interval")
		if err != nil {
			return nil, err
		}
		kind := SearchOlder
		if name == "YOUNGER" {
			kind = SearchYounger
		}
		return &SearchKey{Kind: kind, Number: uint64(n)}, nil
	case "UID":
		if err := r.sp(); err != nil {
			return nil, err
		}
		set, err := r.seqSet()
		if err != nil {
			return nil, err
		}
		return &SearchKey{Kind: SearchUID, Set: set}, nil
	case "NOT":
		if err := r.sp(); err != nil {
			return nil, err
		}
		return r.nestedKeys(SearchNot, 1)
	case "OR":
		if err := r.sp(); err != nil {
			return nil, err
		}
		return r.nestedKeys(SearchOr, 2)
	case "MODSEQ":
		return r.modSeqKey()
	}
	return nil, r.errorf("unknown search key %s", name)
}

// nestedKeys parses n search keys (separated by SP) under a NOT or OR node,
// counting the nesting against the depth limit.
func (r *reader) nestedKeys(kind SearchKind, n int) (*SearchKey, error) {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > r.maxDepth {
		return nil, r.errorf("search keys nested deeper than %d", r.maxDepth)
	}
	k := &SearchKey{Kind: kind, Children: make([]*SearchKey, 0, n)}
	for i := 0; i < n; i++ {
		if i > 0 {
			if err := r.sp(); err != nil {
				return nil, err
			}
		}
		child, err := r.searchKey()
		if err != nil {
			return nil, err
		}
		k.Children = append(k.Children, child)
	}
	return k, nil
}

// modSeqKey parses MODSEQ [SP entry-name SP entry-type-req] SP
// mod-sequence-valzer (RFC 7162 §3.1.5).
func (r *reader) modSeqKey() (*SearchKey, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	k := &SearchKey{Kind: SearchModSeq}
	if r.peek() == '"' && !r.eof() {
		name, err := r.quoted()
		if err != nil {
			return nil, err
		}
		if len(name) < 8 || !asciiEqualFold(name[:7], "/flags/") {
			return nil, r.errorf("invalid MODSEQ entry name %q", name)
		}
		if err := r.sp(); err != nil {
			return nil, err
		}
		typ, err := r.keyword("entry type")
		if err != nil {
			return nil, err
		}
		switch typ {
		case "PRIV", "SHARED", "ALL":
		default:
			return nil, r.errorf("invalid MODSEQ entry type %s", typ)
		}
		k.EntryName, k.EntryType = name, lowerASCII(typ)
		if err := r.sp(); err != nil {
			return nil, err
		}
	}
	n, err := r.number64("mod-sequence", maxModSeq)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, r.errorf("MODSEQ must not be zero")
	}
	k.Number = n
	return k, nil
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func headerFieldName(key string) string {
	switch key {
	case "BCC":
		return "Bcc"
	case "CC":
		return "Cc"
	case "FROM":
		return "From"
	case "SUBJECT":
		return "Subject"
	}
	return "To"
}

func dateKind(key string) SearchKind {
	switch key {
	case "BEFORE":
		return SearchBefore
	case "ON":
		return SearchOn
	case "SINCE":
		return SearchSince
	case "SENTBEFORE":
		return SearchSentBefore
	case "SENTON":
		return SearchSentOn
	}
	return SearchSentSince
}
