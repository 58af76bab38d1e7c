package imap4

// SetACLArgs: SETACL SP mailbox SP identifier SP mod-rights (RFC 4314
// §3.1); Rights keeps a leading "+" or "-".
type SetACLArgs struct {
	Mailbox, Identifier, Rights string
}

// ACLIdentifierArgs: DELETEACL and LISTRIGHTS SP mailbox SP identifier
// (RFC 4314 §3.2, §3.4).
type ACLIdentifierArgs struct {
	Mailbox, Identifier string
}

// QuotaRootArgs: GETQUOTA SP quota-root (RFC 9208 §4.2).
type QuotaRootArgs struct {
	Root string
}

// SetQuotaArgs: SETQUOTA SP quota-root SP "(" [setquota-resource *(SP
// setquota-resource)] ")" (RFC 9208 §4.4).
type SetQuotaArgs struct {
	Root      string
	Resources []QuotaResource
}

// QuotaResource is a resource name (upper case) and its limit.
type QuotaResource struct {
	Name  string
	Limit uint64
}

func (*SetACLArgs) isArgs()        {}
func (*ACLIdentifierArgs) isArgs() {}
func (*QuotaRootArgs) isArgs()     {}
func (*SetQuotaArgs) isArgs()      {}

func parseSetACL(r *reader) (Args, error) {
	a := &SetACLArgs{}
	var err error
	if err = r.sp(); err != nil {
		return nil, err
	}
	if a.Mailbox, err = r.mailbox(); err != nil {
		return nil, err
	}
	if err = r.sp(); err != nil {
		return nil, err
	}
	if a.Identifier, err = r.astring("identifier"); err != nil {
		return nil, err
	}
	if err = r.sp(); err != nil {
		return nil, err
	}
	if a.Rights, err = r.astring("rights"); err != nil {
		return nil, err
	}
	return a, nil
}

func parseACLIdentifier(r *reader) (Args, error) {
	a := &ACLIdentifierArgs{}
	var err error
	if err = r.sp(); err != nil {
		return nil, err
	}
	if a.Mailbox, err = r.mailbox(); err != nil {
		return nil, err
	}
	if err = r.sp(); err != nil {
		return nil, err
	}
	if a.Identifier, err = r.astring("identifier"); err != nil {
		return nil, err
	}
	return a, nil
}

func parseGetQuota(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	root, err := r.astring("quota root")
	if err != nil {
		return nil, err
	}
	return &QuotaRootArgs{Root: root}, nil
}

func parseSetQuota(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	root, err := r.astring("quota root")
	if err != nil {
		return nil, err
	}
	if err := r.sp(); err != nil {
		return nil, err
	}
	a := &SetQuotaArgs{Root: root, Resources: []QuotaResource{}}
	err = r.list(true, func() error {
		name, err := r.keyword("resource name")
		if err != nil {
			return err
		}
		if err := r.sp(); err != nil {
			return err
		}
		limit, err := r.number64("resource limit", 1<<63-1)
		a.Resources = append(a.Resources, QuotaResource{Name: name, Limit: limit})
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
