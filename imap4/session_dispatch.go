package imap4

// handler is one command's entry in the state table: the states it is
// valid in and the function that runs it (style: one dispatch point).
type handler struct {
	states State
	run    func(*Session, *Command)
}

const (
	anyState = StateNotAuth | StateAuth | StateSelected
	authed   = StateAuth | StateSelected
)

// lookupCommand is the state table of RFC 3501 §6 and the extensions:
// the one dispatch point from a command name to its states and handler.
func lookupCommand(name string) (handler, bool) {
	switch name {
	case "CAPABILITY":
		return handler{anyState, (*Session).cmdCapability}, true
	case "NOOP":
		return handler{anyState, (*Session).cmdNoop}, true
	case "LOGOUT":
		return handler{anyState, (*Session).cmdLogout}, true
	case "ID": // RFC 2971
		return handler{anyState, (*Session).cmdID}, true
	case "ENABLE": // RFC 5161 §3.1
		return handler{authed, (*Session).cmdEnable}, true
	case "STARTTLS":
		return handler{StateNotAuth, (*Session).cmdStartTLS}, true
	case "LOGIN":
		return handler{StateNotAuth, (*Session).cmdLogin}, true
	case "AUTHENTICATE":
		return handler{StateNotAuth, (*Session).cmdAuthenticate}, true
	case "SELECT":
		return handler{authed, (*Session).cmdSelect}, true
	case "EXAMINE":
		return handler{authed, (*Session).cmdSelect}, true
	case "CREATE":
		return handler{authed, (*Session).cmdCreate}, true
	case "DELETE":
		return handler{authed, (*Session).cmdDelete}, true
	case "RENAME":
		return handler{authed, (*Session).cmdRename}, true
	case "SUBSCRIBE":
		return handler{authed, (*Session).cmdSubscribe}, true
	case "UNSUBSCRIBE":
		return handler{authed, (*Session).cmdSubscribe}, true
	case "LIST":
		return handler{authed, (*Session).cmdList}, true
	case "LSUB":
		return handler{authed, (*Session).cmdList}, true
	case "STATUS":
		return handler{authed, (*Session).cmdStatus}, true
	case "APPEND":
		return handler{authed, (*Session).cmdAppend}, true
	case "NAMESPACE": // RFC 2342
		return handler{authed, (*Session).cmdNamespace}, true
	case "IDLE": // RFC 2177
		return handler{authed, (*Session).cmdIdle}, true
	case "GETACL":
		return handler{authed, (*Session).cmdGetACL}, true
	case "SETACL":
		return handler{authed, (*Session).cmdSetACL}, true
	case "DELETEACL":
		return handler{authed, (*Session).cmdSetACL}, true
	case "LISTRIGHTS":
		return handler{authed, (*Session).cmdListRights}, true
	case "MYRIGHTS":
		return handler{authed, (*Session).cmdMyRights}, true
	case "GETQUOTA":
		return handler{authed, (*Session).cmdGetQuota}, true
	case "GETQUOTAROOT":
		return handler{authed, (*Session).cmdGetQuotaRoot}, true
	case "SETQUOTA":
		return handler{authed, (*Session).cmdSetQuota}, true
	case "CHECK":
		return handler{StateSelected, (*Session).cmdNoop}, true
	case "CLOSE":
		return handler{StateSelected, (*Session).cmdClose}, true
	case "UNSELECT": // RFC 3691
		return handler{StateSelected, (*Session).cmdClose}, true
	case "EXPUNGE":
		return handler{StateSelected, (*Session).cmdExpunge}, true
	case "SEARCH":
		return handler{StateSelected, (*Session).cmdSearch}, true
	case "FETCH":
		return handler{StateSelected, (*Session).cmdFetch}, true
	case "STORE":
		return handler{StateSelected, (*Session).cmdStore}, true
	case "COPY":
		return handler{StateSelected, (*Session).cmdCopy}, true
	case "MOVE": // RFC 6851
		return handler{StateSelected, (*Session).cmdCopy}, true
	case "SORT": // RFC 5256
		return handler{StateSelected, (*Session).cmdSort}, true
	case "THREAD": // RFC 5256
		return handler{StateSelected, (*Session).cmdThread}, true
	}
	return handler{}, false
}
