package io.faultfabric.actors;

import io.faultfabric.engine.owner.BusyUntil;
import io.faultfabric.engine.owner.ServicePacer;
import io.faultfabric.engine.owner.ServiceWindow;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Times owners' and guests' service: service times are microseconds, while Pekko's scheduler fires
 * on 10 ms ticks. {@link #precise} runs one thread per fabric that delivers each message at its due
 * time (to tens of microseconds); {@link #scheduler} uses the actor system's scheduler, for tests
 * that drive time with ManualTime. Open-model load is paced on the same clock ({@link #runAfter}).
 */
public abstract class ServiceClock {

    /** A pacer for one server (owner or guest handler) on this clock. */
    public abstract ServicePacer newPacer();

    /** Tells {@code message} to {@code target} after {@code delayNanos}. */
    public abstract <T> void schedule(long delayNanos, ActorRef<T> target, T message);

    /**
     * Runs {@code task} after {@code delayNanos}, on the clock's own thread (the precise clock) or the system's
     * dispatcher (the scheduler clock): it must be short and must not block, e.g. an async callback into a stream stage.
     */
    public abstract void runAfter(long delayNanos, Runnable task);

    /** Stops the clock's thread, if it has one; messages not yet due are not delivered. */
    public abstract void close();

    public static ServiceClock precise(String name) {
        return new Precise(name);
    }

    public static ServiceClock scheduler(ActorSystem<?> system) {
        return new OnScheduler(system);
    }

    private static final class OnScheduler extends ServiceClock {
        private final ActorSystem<?> system;
        private final long tick;

        OnScheduler(ActorSystem<?> system) {
            this.system = system;
            this.tick = system.settings().config().getDuration("pekko.scheduler.tick-duration").toNanos();
        }

        @Override
        public ServicePacer newPacer() {
            return new ServiceWindow(tick);
        }

        @Override
        public <T> void schedule(long delayNanos, ActorRef<T> target, T message) {
            system.scheduler().scheduleOnce(Duration.ofNanos(delayNanos), () -> target.tell(message), system.executionContext());
        }

        @Override
        public void runAfter(long delayNanos, Runnable task) {
            system.scheduler().scheduleOnce(Duration.ofNanos(Math.max(0, delayNanos)), task, system.executionContext());
        }

        @Override
        public void close() {}
    }

    private static final class Precise extends ServiceClock {
        /** A message for {@code target}, or, when target is null, a Runnable to run ({@link #runAfter}). */
        private record Entry(long due, long seq, ActorRef<Object> target, Object message) {
            void deliver() {
                if (target != null) target.tell(message);
                else ((Runnable) message).run();
            }
        }

        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
        private final Thread thread;
        private long seq;
        private volatile boolean running = true;

        Precise(String name) {
            thread = new Thread(this::run, name);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public ServicePacer newPacer() {
            return new BusyUntil(System::nanoTime);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> void schedule(long delayNanos, ActorRef<T> target, T message) {
            add(delayNanos, (ActorRef<Object>) target, message);
        }

        @Override
        public void runAfter(long delayNanos, Runnable task) {
            add(delayNanos, null, task);
        }

        private void add(long delayNanos, ActorRef<Object> target, Object message) {
            long due = System.nanoTime() + delayNanos;
            lock.lock();
            try {
                Entry e = new Entry(due, seq++, target, message);
                queue.add(e);
                if (queue.peek() == e) changed.signal(); // a new earliest: the thread sleeps until it instead
            } finally {
                lock.unlock();
            }
        }

        private void run() {
            List<Entry> due = new ArrayList<>();
            while (running) {
                lock.lock();
                try {
                    while (running) {
                        Entry head = queue.peek();
                        if (head == null) {
                            changed.await();
                            continue;
                        }
                        long wait = head.due - System.nanoTime();
                        if (wait <= 0) break;
                        changed.awaitNanos(wait);
                    }
                    long now = System.nanoTime();
                    while (!queue.isEmpty() && queue.peek().due - now <= 0) due.add(queue.poll());
                } catch (InterruptedException e) {
                    return;
                } finally {
                    lock.unlock();
                }
                for (Entry e : due) {
                    try {
                        e.deliver(); // outside the lock: telling may run code of the recipient's mailbox
                    } catch (RuntimeException failure) {
                        // one failing task must not stop the clock for every owner and pacer of the fabric
                        thread.getUncaughtExceptionHandler().uncaughtException(thread, failure);
                    }
                }
                due.clear();
            }
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
