package bolt

import "github.com/laporbansos/laporbansos/storage"

// The domain lives in package storage; these names let the bbolt code, moved here from there,
// read as it did. They are aliases, not copies: a storage.Report is a Report.
type (
	Tx                  = storage.Tx
	Store               = storage.Store
	ChatAddr            = storage.ChatAddr
	Kind                = storage.Kind
	Status              = storage.Status
	Actor               = storage.Actor
	Transition          = storage.Transition
	Report              = storage.Report
	AlreadyDecidedError = storage.AlreadyDecidedError
	Session             = storage.Session
	Outbound            = storage.Outbound
	ReportFilter        = storage.ReportFilter
	Stats               = storage.Stats
	AuditEntry          = storage.AuditEntry
	LookupLimits        = storage.LookupLimits
	LookupGrant         = storage.LookupGrant
	Role                = storage.Role
	User                = storage.User
	ViewEntry           = storage.ViewEntry
	PurgeResult         = storage.PurgeResult
	ExportOptions       = storage.ExportOptions
	DamagedRecordError  = storage.DamagedRecordError
)

const (
	KindReport         = storage.KindReport
	KindSanggah        = storage.KindSanggah
	KindPengaduan      = storage.KindPengaduan
	StatusInProgress   = storage.StatusInProgress
	StatusResolved     = storage.StatusResolved
	StatusRefused      = storage.StatusRefused
	StatusAutoRejected = storage.StatusAutoRejected
	StatusSubmitted    = storage.StatusSubmitted
	StatusEligible     = storage.StatusEligible
	StatusIneligible   = storage.StatusIneligible
	StatusDelivered    = storage.StatusDelivered
	StatusUpheld       = storage.StatusUpheld
	StatusDismissed    = storage.StatusDismissed
	RoleViewer         = storage.RoleViewer
	RoleSupervisor     = storage.RoleSupervisor
	ScopeChatHour      = storage.ScopeChatHour
	ScopeChatDay       = storage.ScopeChatDay
	ScopeGlobal        = storage.ScopeGlobal
	CitizenActorName   = storage.CitizenActorName
	PurgedActorID      = storage.PurgedActorID
)

var (
	ErrNotFound          = storage.ErrNotFound
	ErrIllegalTransition = storage.ErrIllegalTransition
	ErrReasonRequired    = storage.ErrReasonRequired
	ErrInvalid           = storage.ErrInvalid
	ErrDamagedRecord     = storage.ErrDamagedRecord
	ErrNothingToUndo     = storage.ErrNothingToUndo
	ErrUndoExpired       = storage.ErrUndoExpired
	ErrUndoNotAllowed    = storage.ErrUndoNotAllowed
)

var (
	_ Tx    = (*boltTx)(nil)
	_ Store = (*DB)(nil)
)
