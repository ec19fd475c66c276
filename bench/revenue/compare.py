"""Revenue report sections through the API on two servers (e.g. main's jar and this branch's), interleaved.

    python3 bench/revenue/compare.py http://127.0.0.1:PORT_A,http://127.0.0.1:PORT_B a,b [only-cases] [rounds] [pid_a,pid_b]

Each server serves its own copy of the demo directory (admin password bench-password-1). Per case
(the dashboard's revenue page with all sections and each section alone, over 365 days by channel;
the same over 90 days with the population "Benchmark: purchased"; LTV by utm_source over 3000
days): the median wall time of the rounds after one warm-up and, with the servers' pids, the
median CPU time the server process spent on the request (utime + stime from /proc), which a loaded
machine disturbs much less than wall time. Answers are compared at the end (churn counts can
differ by one between two calls: "now" moves).
"""
import json, sys, time, urllib.request, http.cookiejar, datetime, statistics
def session(base):
    cj = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cj))
    def call(method, path, body=None, headers={}):
        req = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                     headers={'Content-Type': 'application/json', **headers})
        with op.open(req, timeout=600) as r:
            return json.loads(r.read())
    call('POST', '/auth/login', {'username': 'admin', 'password': 'bench-password-1'})
    csrf = call('GET', '/auth/session')['csrf_token']
    H = {'X-CSRF-Token': csrf}
    pops = call('GET', '/api/populations?counts=false', None, H)['populations']
    pop = next((p['id'] for p in pops if p['name'] == 'Benchmark: purchased'), None)
    if pop is None:
        pop = call('POST', '/api/populations', {'name': 'Benchmark: purchased', 'definition': {'did': 'Purchased'}}, H)['id']
    return (lambda b: call('POST', '/api/reports/revenue', b, H)), pop
servers = sys.argv[1].split(',')
pids = sys.argv[5].split(',') if len(sys.argv) > 5 else None
def cpu(pid):
    f = open(f'/proc/{pid}/stat').read().rsplit(') ', 1)[1].split()
    return (int(f[11]) + int(f[12])) * 10.0
cpus = {}
names = sys.argv[2].split(',')
only = sys.argv[3].split(',') if len(sys.argv) > 3 and sys.argv[3] else None
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
today = datetime.date.today()
sess = [session(s) for s in servers]
def cases(pop):
    y = {'from': str(today - datetime.timedelta(days=364)), 'to': str(today), 'group_by': 'channel', 'churn_days': 30, 'interval': 'month'}
    q = {'from': str(today - datetime.timedelta(days=89)), 'to': str(today), 'group_by': 'channel', 'churn_days': 30, 'interval': 'month', 'population': pop}
    return [('page all', y), ('periods', {**y, 'sections': ['periods']}), ('ltv channel', {**y, 'sections': ['ltv']}),
         ('cohorts', {**y, 'sections': ['cohorts']}),
         ('pop all', q), ('pop periods', {**q, 'sections': ['periods']}), ('pop ltv', {**q, 'sections': ['ltv']}), ('pop cohorts', {**q, 'sections': ['cohorts']}),
         ('ltv utm_source 3000d', {'from': str(today - datetime.timedelta(days=3000)), 'to': str(today), 'time_zone': 'UTC', 'group_by': 'utm_source', 'sections': ['ltv'], 'top': 10})]
times = {}
answers = {}
for r in range(rounds + 1):
    for i, (post, pop) in enumerate(sess):
        for n, b in cases(pop):
            if only and not any(n.startswith(o) for o in only): continue
            c0 = cpu(pids[i]) if pids else 0
            t = time.time(); res = post(b); dt = (time.time() - t) * 1000
            dc = (cpu(pids[i]) - c0) if pids else 0
            if r > 0: cpus.setdefault(n, {}).setdefault(names[i], []).append(dc)
            answers.setdefault(n, {})[names[i]] = res
            if r > 0: times.setdefault(n, {}).setdefault(names[i], []).append(dt)
for n, byname in times.items():
    meds = {k: statistics.median(v) for k, v in byname.items()}
    line = f"{n:22s} " + "  ".join(f"{k} {meds[k]:6.0f} ms" for k in names if k in meds)
    if len(names) == 2: line += f"   ratio {meds[names[1]] / meds[names[0]]:.2f}"
    if pids:
        cm = {k: statistics.median(v) for k, v in cpus[n].items()}
        line += "   cpu " + "  ".join(f"{k} {cm[k]:6.0f} ms" for k in names if k in cm)
    print(line)
# answers equal?
def strip(x):
    if isinstance(x, dict): return {k: strip(v) for k, v in x.items()}
    if isinstance(x, list): return [strip(v) for v in x]
    if isinstance(x, float): return round(x, 6)
    return x
for n, a in answers.items():
    vals = [json.dumps(strip(a[k]), sort_keys=True) for k in names if k in a]
    print(n, "answers equal" if len(set(vals)) == 1 else "ANSWERS DIFFER")
