package main

import (
	"strings"
	"testing"

	"tradein/agent"
)

func TestFirstStaffFlag(t *testing.T) {
	st, pin, err := firstStaff("3001, 张经理 ,manager", strings.NewReader("3456\n"))
	if err != nil || st.ID != "3001" || st.Name != "张经理" || st.Role != agent.RoleManager || pin != "3456" {
		t.Fatalf("got %+v %q %v", st, pin, err)
	}
	if _, _, err := firstStaff("3001,张经理", strings.NewReader("3456\n")); err == nil {
		t.Fatal("two fields accepted")
	}
	if _, _, err := firstStaff("3001,张经理,MANAGER", strings.NewReader("")); err == nil {
		t.Fatal("no PIN on stdin accepted")
	}
}
