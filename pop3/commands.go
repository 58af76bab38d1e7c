package pop3

// handler is one command's entry in the dispatch table (style practice 1:
// per-state command table, one dispatch point).
type handler struct {
	states uint // bit set of the states the command is valid in
	run    func(s *session, cmd Command) error
}

const (
	inAuth  = 1 << stateAuthorization
	inTrans = 1 << stateTransaction
)

// commands maps keywords to handlers: RFC 1939 §4–§7, RFC 2449 §5 (CAPA),
// RFC 5034 §4 (AUTH), RFC 2595 §4 (STLS), RFC 1725 (LAST).
var commands = map[string]handler{
	"CAPA": {inAuth | inTrans, (*session).cmdCapa},
	"QUIT": {inAuth | inTrans, (*session).cmdQuit},
	"USER": {inAuth, (*session).cmdUser},
	"PASS": {inAuth, (*session).cmdPass},
	"APOP": {inAuth, (*session).cmdAPOP},
	"AUTH": {inAuth, (*session).cmdAuth},
	"STLS": {inAuth, (*session).cmdSTLS},
	"STAT": {inTrans, (*session).cmdStat},
	"LIST": {inTrans, (*session).cmdList},
	"UIDL": {inTrans, (*session).cmdUIDL},
	"RETR": {inTrans, (*session).cmdRetr},
	"TOP":  {inTrans, (*session).cmdTop},
	"DELE": {inTrans, (*session).cmdDele},
	"NOOP": {inTrans, (*session).cmdNoop},
	"RSET": {inTrans, (*session).cmdRset},
	"LAST": {inTrans, (*session).cmdLast},
}
