# Python (tests/debian/README.md): threading, mmap, subprocess, os.fork, multiprocessing.
# The output must equal expected/python.out (Linux).
import hashlib, mmap, multiprocessing, os, subprocess, sys, threading, time

def square(x):
    return x * x

def main():
    print("== threading")
    total = [0]
    lock = threading.Lock()
    def work(n):
        for _ in range(n):
            with lock:
                total[0] += 1
    ts = [threading.Thread(target=work, args=(2000,)) for _ in range(8)]
    for t in ts: t.start()
    for t in ts: t.join()
    print("8 threads x 2000 =", total[0])
    cond = threading.Condition(); items = []
    def producer():
        for i in range(5):
            with cond:
                items.append(i); cond.notify()
    def consumer(out):
        got = 0
        while got < 5:
            with cond:
                while not items: cond.wait()
                out.append(items.pop(0)); got += 1
    out = []
    c = threading.Thread(target=consumer, args=(out,)); p = threading.Thread(target=producer)
    c.start(); p.start(); p.join(); c.join()
    print("condition:", out)
    ev = threading.Event(); r = []
    th = threading.Thread(target=lambda: (ev.wait(), r.append("woken"))); th.start()
    time.sleep(0.05); ev.set(); th.join(); print("event:", r)
    local = threading.local(); seen = []
    def tl(i):
        local.v = i; time.sleep(0.01); seen.append(local.v == i)
    ts = [threading.Thread(target=tl, args=(i,)) for i in range(4)]
    [t.start() for t in ts]; [t.join() for t in ts]
    print("thread-local ok:", all(seen), len(seen))
    print("== mmap")
    path = "/tmp/py_mmap.bin"
    with open(path, "wb") as f:
        f.write(b"\0" * 8192)
    with open(path, "r+b") as f:
        m = mmap.mmap(f.fileno(), 8192)
        m[0:5] = b"hello"; m[4096:4101] = b"world"; m.flush(); m.close()
    with open(path, "rb") as f:
        data = f.read()
    print("file through mmap:", data[0:5], data[4096:4101], len(data))
    a = mmap.mmap(-1, 4096); a.write(b"anon"); a.seek(0); print("anonymous:", a.read(4)); a.close()
    os.unlink(path)
    print("== subprocess")
    print(subprocess.run(["echo", "from", "echo"], capture_output=True, text=True).stdout.strip())
    r = subprocess.run(["bash", "-c", "echo out; echo err >&2; exit 3"], capture_output=True, text=True)
    print("bash:", r.stdout.strip(), r.stderr.strip(), r.returncode)
    p = subprocess.Popen(["sort"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    print("sort via pipe:", p.communicate("c\nb\na\n")[0].split())
    print("sha256sum:", subprocess.check_output(["sha256sum"], input=b"abc").split()[0].decode())
    print("hashlib  :", hashlib.sha256(b"abc").hexdigest())
    print("== os.fork")
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd); os.write(wr, b"child says hi"); os._exit(5)
    os.close(wr)
    msg = os.read(rd, 100); _, st = os.waitpid(pid, 0)
    print("fork:", msg.decode(), os.WEXITSTATUS(st))
    print("== multiprocessing")
    with multiprocessing.Pool(4) as pool:
        res = pool.map(square, range(100))
    print("pool of 4:", sum(res), res[:5], res[-1])
    q = multiprocessing.Queue()
    pr = multiprocessing.Process(target=q.put, args=("via queue",)); pr.start()
    print("process:", q.get(), end=" "); pr.join(); print(pr.exitcode)
    print("== done")

if __name__ == "__main__":
    main()
    sys.stdout.flush()
