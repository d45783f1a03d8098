package synth

import (
	"context"
	"sync"
)

// ordered runs build(0..n-1) on up to workers goroutines and calls sink with the results in index order.
// Each record has its own random source seeded from its index, so scheduling never changes the output;
// the bounded window (2 × workers results in flight) keeps memory flat however large n is.
func ordered[T any](ctx context.Context, n, workers int, build func(int) T, sink func(int, T) error) error {
	if workers < 1 {
		workers = 1
	}
	if workers == 1 || n <= 1 {
		for i := 0; i < n; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := sink(i, build(i)); err != nil {
				return err
			}
		}
		return nil
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		i   int
		out chan T
	}
	jobs := make(chan job)
	futures := make(chan job, 2*workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- build(j.i)
			}
		}()
	}
	go func() {
		defer close(futures)
		defer close(jobs)
		for i := 0; i < n; i++ {
			j := job{i: i, out: make(chan T, 1)}
			select {
			case futures <- j:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()

	var err error
	done := 0
	for j := range futures {
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			continue // drain so the producer can stop
		}
		select {
		case batch := <-j.out:
			err = sink(j.i, batch)
			done++
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			cancel()
		}
	}
	wg.Wait()
	if err == nil && done < n {
		err = ctx.Err() // the producer stopped early: the caller's context was cancelled
	}
	return err
}
