package memo_test

import (
	"testing"
	"time"

	"mailvet/memo"
)

func TestGetPutForget(t *testing.T) {
	m := memo.New[string, int](time.Hour, 10)
	if _, ok := m.Get("a"); ok {
		t.Fatal("empty map remembered a")
	}
	m.Put("a", 1)
	if v, ok := m.Get("a"); !ok || v != 1 {
		t.Fatalf("get a: %d %v", v, ok)
	}
	m.Forget("a")
	if _, ok := m.Get("a"); ok {
		t.Fatal("forgotten a remembered")
	}
}

func TestExpires(t *testing.T) {
	m := memo.New[string, int](time.Millisecond, 10)
	m.Put("a", 1)
	time.Sleep(5 * time.Millisecond) // at least the ttl: never too short
	if _, ok := m.Get("a"); ok {
		t.Fatal("expired value returned")
	}
}

func TestBoundedByForgettingAll(t *testing.T) {
	m := memo.New[int, int](time.Hour, 3)
	for i := range 3 {
		m.Put(i, i)
	}
	m.Put(3, 3) // full: the others are forgotten
	if _, ok := m.Get(0); ok {
		t.Fatal("map grew past its bound")
	}
	if v, ok := m.Get(3); !ok || v != 3 {
		t.Fatalf("newest value lost: %d %v", v, ok)
	}
}
