package identity_test

import (
	"testing"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/store"
)

func TestCustomerByCPR(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.privateCustomer("150385-1234")
		for _, cpr := range []string{"150385-1234", "1503851234", " 150385-1234 "} {
			got, err := f.id.CustomerByCPR(f.ctx, cpr)
			if err != nil || got.ID != c.ID || got.CPR != "1503851234" {
				t.Fatalf("CustomerByCPR(%q) = %+v, %v", cpr, got, err)
			}
		}
		_, err := f.id.CustomerByCPR(f.ctx, "150385-4321")
		f.wantCode(err, netbank.ENOTFOUND)
		_, err = f.id.CustomerByCPR(f.ctx, "15038")
		f.wantCode(err, netbank.EINVALID)
	})
}

// RULE BIZ-1: a business user who forgot the password gets a new one by
// letter; the old one stops working, and a block after failed attempts is
// lifted with it.
func TestIssuePassword(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		biz, err := f.id.CreateCustomer(f.ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: "Tømrer ApS", CVR: "25313763"}, staffActor)
		if err != nil {
			t.Fatal(err)
		}
		u, old, _, err := f.id.CreateBusinessUser(f.ctx, biz.ID, "anne", "Anne", []identity.Permission{identity.PermView}, staffActor)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			_, err := f.id.BeginBusinessLogin(f.ctx, "anne", "forkert-forkert", identity.Actor{})
			if err == nil {
				t.Fatal("wrong password accepted")
			}
		}
		if got, _ := f.id.User(f.ctx, u.ID); got.Status != identity.SignatureBlocked {
			t.Fatalf("status %s after 3 wrong passwords, want signature_blocked", got.Status)
		}
		password, err := f.id.IssuePassword(f.ctx, u.ID, staffActor)
		if err != nil || password == "" || password == old {
			t.Fatalf("IssuePassword = %q, %v", password, err)
		}
		got, _ := f.id.User(f.ctx, u.ID)
		if got.Status != identity.Active || got.FailedAttempts != 0 {
			t.Fatalf("after a new password: %s, %d failed attempts", got.Status, got.FailedAttempts)
		}
		if _, err := f.id.BeginBusinessLogin(f.ctx, "anne", old, identity.Actor{}); netbank.ErrorCodeOf(err) != netbank.EUNAUTHORIZED {
			t.Fatalf("old password: %v", err)
		}
		if _, err := f.id.BeginBusinessLogin(f.ctx, "anne", password, identity.Actor{}); err != nil {
			t.Fatalf("new password: %v", err)
		}

		// A self-block stays (AUTH-9: only staff lift it, deliberately).
		if err := f.id.SelfBlock(f.ctx, u.ID, identity.Actor{ID: u.ID, Kind: "business"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.id.IssuePassword(f.ctx, u.ID, staffActor); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.id.User(f.ctx, u.ID); got.Status != identity.SelfBlocked {
			t.Fatalf("a new password lifted a self-block: %s", got.Status)
		}

		// Private users get PIN letters instead.
		c := f.privateCustomer("020779-2345")
		pu, _, err := f.id.CreatePrivateUser(f.ctx, c.ID, "", staffActor)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.id.IssuePassword(f.ctx, pu.ID, staffActor)
		f.wantCode(err, netbank.EINVALID)

		entries, err := db.Audit().List(f.ctx, audit.Filter{Action: "user.password_reset"})
		if err != nil || len(entries) != 2 || entries[0].Actor != staffActor.ID || entries[1].Details["unblocked"] != "true" {
			t.Fatalf("audit entries %+v, %v", entries, err)
		}
	})
}

func TestUnblockStaff(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		st, secret, err := f.id.CreateStaff(f.ctx, "kbo", "Karen Bøgh", "korrekt-hest-batteri", []string{identity.RoleSupport}, identity.System)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.id.UnblockStaff(f.ctx, "kbo", staffActor)
		f.wantCode(err, netbank.EINVALID)
		_, err = f.id.UnblockStaff(f.ctx, "ingen", staffActor)
		f.wantCode(err, netbank.ENOTFOUND)

		for range 5 {
			_, _, _ = f.id.StaffLogin(f.ctx, "kbo", "forkert-hest-batteri", "000000", identity.Actor{})
		}
		f.clock.Advance(30e9)
		_, _, err = f.id.StaffLogin(f.ctx, "kbo", "korrekt-hest-batteri", auth.TOTPCode(secret, f.clock.Now()), identity.Actor{})
		f.wantCode(err, netbank.EFORBIDDEN)

		got, err := f.id.UnblockStaff(f.ctx, " KBO ", staffActor)
		if err != nil || got.ID != st.ID || got.Blocked || got.FailedAttempts != 0 {
			t.Fatalf("UnblockStaff = %+v, %v", got, err)
		}
		f.clock.Advance(30e9)
		if _, _, err := f.id.StaffLogin(f.ctx, "kbo", "korrekt-hest-batteri", auth.TOTPCode(secret, f.clock.Now()), identity.Actor{}); err != nil {
			t.Fatalf("login after unblock: %v", err)
		}
		entries, err := db.Audit().List(f.ctx, audit.Filter{Action: "staff.unblocked"})
		if err != nil || len(entries) != 1 || entries[0].Actor != staffActor.ID || entries[0].Subject != st.ID {
			t.Fatalf("audit entries %+v, %v", entries, err)
		}
	})
}
