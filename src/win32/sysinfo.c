/*
 * sysinfo.c - the processors and how they relate: the processor and group
 * counts (GetActiveProcessorCount & co.) and GetLogicalProcessorInformation
 * (Ex), read from /sys/devices/system/cpu and /sys/devices/system/node.
 *
 * Linux's CPU n is logical processor n % 64 of group n / 64 (a KAFFINITY's
 * bits): one group up to 64 CPUs, as on Windows. Each call reads sysfs
 * afresh into a list of processor sets (a core, a cache, a package, a die,
 * a module, a NUMA node), each kept once, then writes the records Windows
 * would: one per set, its mask split by group.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "win32.h"

#define CPUS_MAX 1024
#define GROUP_BITS ((int)(8 * sizeof(KAFFINITY)))
#define GROUPS_MAX (CPUS_MAX / 32)
#define SYS_CPU "/sys/devices/system/cpu"

struct cpuset {
  uint64_t w[CPUS_MAX / 64];
};

static void set_add(struct cpuset *s, int cpu) {
  if (cpu >= 0 && cpu < CPUS_MAX)
    s->w[cpu / 64] |= (uint64_t)1 << (cpu % 64);
}

static bool set_has(const struct cpuset *s, int cpu) {
  return cpu >= 0 && cpu < CPUS_MAX && (s->w[cpu / 64] >> (cpu % 64)) & 1;
}

static bool set_empty(const struct cpuset *s) {
  for (size_t i = 0; i < CPUS_MAX / 64; i++)
    if (s->w[i] != 0)
      return false;
  return true;
}

static int set_count(const struct cpuset *s) {
  int n = 0;
  for (size_t i = 0; i < CPUS_MAX / 64; i++)
    n += __builtin_popcountll(s->w[i]);
  return n;
}

static void set_and(struct cpuset *s, const struct cpuset *with) {
  for (size_t i = 0; i < CPUS_MAX / 64; i++)
    s->w[i] &= with->w[i];
}

/* The bits of group g (KAFFINITY's width) of s. */
static KAFFINITY set_group(const struct cpuset *s, int g) {
  KAFFINITY m = 0;
  for (int b = 0; b < GROUP_BITS; b++)
    if (set_has(s, g * GROUP_BITS + b))
      m |= (KAFFINITY)1 << b;
  return m;
}

/* A sysfs file's first line (without its newline); false if unreadable. */
static bool read_line(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "re");
  if (f == NULL)
    return false;
  bool ok = fgets(buf, (int)size, f) != NULL;
  fclose(f);
  if (ok)
    buf[strcspn(buf, "\n")] = 0;
  return ok;
}

/* A CPU list ("0-3,8,10-11") into *s; false if unreadable or empty. */
static bool read_list(const char *path, struct cpuset *s) {
  char buf[4096];
  memset(s, 0, sizeof(*s));
  if (!read_line(path, buf, sizeof(buf)))
    return false;
  for (char *p = buf; *p;) {
    char *end;
    long a = strtol(p, &end, 10), b = a;
    if (end == p)
      break;
    if (*end == '-') {
      p = end + 1;
      b = strtol(p, &end, 10);
      if (end == p)
        break;
    }
    for (long c = a; c <= b && c < CPUS_MAX; c++)
      set_add(s, (int)c);
    p = *end == ',' ? end + 1 : end;
  }
  return !set_empty(s);
}

static long read_number(const char *path, long fallback) {
  char buf[64], *end;
  if (!read_line(path, buf, sizeof(buf)))
    return fallback;
  long v = strtol(buf, &end, 10);
  if (end == buf)
    return fallback;
  if (*end == 'K')
    v *= 1024;
  else if (*end == 'M')
    v *= 1024 * 1024;
  else if (*end == 'G')
    v *= 1024L * 1024 * 1024;
  return v;
}

/* The online CPUs (at least CPU 0). */
static void online(struct cpuset *s) {
  if (!read_list(SYS_CPU "/online", s)) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    for (long c = 0; c < (n > 0 ? n : 1) && c < CPUS_MAX; c++)
      set_add(s, (int)c);
  }
}

/* How many CPUs are configured (online or not). */
static int configured(const struct cpuset *on) {
  struct cpuset present;
  int n = read_list(SYS_CPU "/present", &present)
              ? set_count(&present)
              : (int)sysconf(_SC_NPROCESSORS_CONF);
  int m = set_count(on);
  n = n > m ? n : m;
  return n > CPUS_MAX ? CPUS_MAX : n;
}

/* The groups the online CPUs fall in: one past the highest's. */
static int group_count(const struct cpuset *on) {
  int last = 0;
  for (int c = 0; c < CPUS_MAX; c++)
    if (set_has(on, c))
      last = c;
  return last / GROUP_BITS + 1;
}

/* ------------------------------------------------------------------------ */
/* The counts                                                                */
/* ------------------------------------------------------------------------ */

CPORT_API DWORD GetActiveProcessorCount(WORD group) {
  struct cpuset on;
  online(&on);
  if (group == ALL_PROCESSOR_GROUPS)
    return (DWORD)set_count(&on);
  if ((int)group >= group_count(&on))
    return (w32_fail(ERROR_INVALID_PARAMETER), 0);
  return (DWORD)__builtin_popcountll((unsigned long long)set_group(&on, group));
}

CPORT_API DWORD GetMaximumProcessorCount(WORD group) {
  struct cpuset on;
  online(&on);
  int groups = group_count(&on), conf = configured(&on);
  if (group == ALL_PROCESSOR_GROUPS)
    return (DWORD)conf;
  if ((int)group >= groups)
    return (w32_fail(ERROR_INVALID_PARAMETER), 0);
  /* The groups before the last are full; the last has the rest. */
  int rest = conf - GROUP_BITS * (groups - 1);
  if (group + 1 < groups || rest > GROUP_BITS)
    return (DWORD)GROUP_BITS;
  return (DWORD)(rest > 0 ? rest : 1);
}

CPORT_API WORD GetActiveProcessorGroupCount(void) {
  struct cpuset on;
  online(&on);
  return (WORD)group_count(&on);
}

CPORT_API WORD GetMaximumProcessorGroupCount(void) {
  struct cpuset on;
  online(&on);
  int conf = configured(&on), groups = group_count(&on);
  int need = (conf + GROUP_BITS - 1) / GROUP_BITS;
  return (WORD)(need > groups ? need : groups);
}

/* ------------------------------------------------------------------------ */
/* The topology                                                              */
/* ------------------------------------------------------------------------ */

/* One set of processors and what it is. kind: its relationship. */
struct pset {
  LOGICAL_PROCESSOR_RELATIONSHIP kind;
  struct cpuset cpus;
  DWORD id;   /* a NUMA node's number */
  BYTE level; /* a cache's */
  BYTE assoc;
  WORD line;
  DWORD size;
  PROCESSOR_CACHE_TYPE type;
};

struct topo {
  struct cpuset on;
  struct pset *sets;
  size_t n, cap;
};

static bool same(const struct pset *a, const struct pset *b) {
  return a->kind == b->kind && a->level == b->level && a->type == b->type &&
         a->id == b->id && memcmp(&a->cpus, &b->cpus, sizeof(a->cpus)) == 0;
}

/* Adds p (its CPUs cut to the online ones) unless kept already. */
static bool keep(struct topo *t, struct pset *p) {
  set_and(&p->cpus, &t->on);
  if (set_empty(&p->cpus))
    return true;
  for (size_t i = 0; i < t->n; i++)
    if (same(&t->sets[i], p))
      return true;
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    struct pset *s = realloc(t->sets, cap * sizeof(*s));
    if (s == NULL)
      return false;
    t->sets = s;
    t->cap = cap;
  }
  t->sets[t->n++] = *p;
  return true;
}

/* The CPUs a topology file of cpu lists (or alt) names, else `fallback`:
 * kept as a set of `kind`, and into *out. */
static bool topo_set(struct topo *t, int cpu, const char *file, const char *alt,
                     LOGICAL_PROCESSOR_RELATIONSHIP kind,
                     const struct cpuset *fallback, struct cpuset *out) {
  char path[128];
  struct pset p;
  memset(&p, 0, sizeof(p));
  p.kind = kind;
  snprintf(path, sizeof(path), SYS_CPU "/cpu%d/topology/%s", cpu, file);
  if (!read_list(path, &p.cpus)) {
    snprintf(path, sizeof(path), SYS_CPU "/cpu%d/topology/%s", cpu,
             alt != NULL ? alt : file);
    if (alt == NULL || !read_list(path, &p.cpus))
      p.cpus = *fallback;
  }
  if (out != NULL)
    *out = p.cpus;
  return keep(t, &p);
}

static bool caches_of(struct topo *t, int cpu) {
  for (int i = 0; i < 16; i++) {
    char dir[96], path[160], type[32];
    snprintf(dir, sizeof(dir), SYS_CPU "/cpu%d/cache/index%d", cpu, i);
    snprintf(path, sizeof(path), "%s/type", dir);
    if (!read_line(path, type, sizeof(type)))
      break;
    struct pset p;
    memset(&p, 0, sizeof(p));
    p.kind = RelationCache;
    p.type = strcmp(type, "Data") == 0          ? CacheData
             : strcmp(type, "Instruction") == 0 ? CacheInstruction
                                                : CacheUnified;
    snprintf(path, sizeof(path), "%s/level", dir);
    p.level = (BYTE)read_number(path, 0);
    snprintf(path, sizeof(path), "%s/ways_of_associativity", dir);
    long ways = read_number(path, 0);
    p.assoc = ways > 254 ? CACHE_FULLY_ASSOCIATIVE : (BYTE)ways;
    snprintf(path, sizeof(path), "%s/coherency_line_size", dir);
    long line = read_number(path, 0);
    p.line = line > 0xFFFF ? 0xFFFF : (WORD)line;
    snprintf(path, sizeof(path), "%s/size", dir);
    long size = read_number(path, 0);
    p.size = size > (long)0xFFFFFFFFu ? 0xFFFFFFFFu : (DWORD)size;
    snprintf(path, sizeof(path), "%s/shared_cpu_list", dir);
    if (!read_list(path, &p.cpus))
      set_add(&p.cpus, cpu);
    if (!keep(t, &p))
      return false;
  }
  return true;
}

static bool numa_nodes(struct topo *t) {
  struct cpuset nodes;
  bool any = false;
  if (read_list("/sys/devices/system/node/online", &nodes)) {
    for (int n = 0; n < CPUS_MAX; n++) {
      if (!set_has(&nodes, n))
        continue;
      char path[96];
      struct pset p;
      memset(&p, 0, sizeof(p));
      p.kind = RelationNumaNode;
      p.id = (DWORD)n;
      snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist",
               n);
      if (!read_list(path, &p.cpus))
        continue; /* a node of memory only */
      any = true;
      if (!keep(t, &p))
        return false;
    }
  }
  if (!any) {
    struct pset p;
    memset(&p, 0, sizeof(p));
    p.kind = RelationNumaNode;
    p.cpus = t->on;
    return keep(t, &p);
  }
  return true;
}

/* Reads the topology; false (ERROR_NOT_ENOUGH_MEMORY set) if memory ran
 * out. */
static bool topo_read(struct topo *t) {
  memset(t, 0, sizeof(*t));
  online(&t->on);
  bool ok = true;
  for (int c = 0; c < CPUS_MAX && ok; c++) {
    if (!set_has(&t->on, c))
      continue;
    struct cpuset self, core, package;
    memset(&self, 0, sizeof(self));
    set_add(&self, c);
    ok = topo_set(t, c, "core_cpus_list", "thread_siblings_list",
                  RelationProcessorCore, &self, &core) &&
         topo_set(t, c, "package_cpus_list", "core_siblings_list",
                  RelationProcessorPackage, &t->on, &package) &&
         topo_set(t, c, "die_cpus_list", NULL, RelationProcessorDie, &package,
                  NULL) &&
         topo_set(t, c, "cluster_cpus_list", NULL, RelationProcessorModule,
                  &core, NULL) &&
         caches_of(t, c);
  }
  ok = ok && numa_nodes(t);
  if (!ok) {
    free(t->sets);
    t->sets = NULL;
    return w32_fail(ERROR_NOT_ENOUGH_MEMORY);
  }
  return true;
}

/* ------------------------------------------------------------------------ */
/* GetLogicalProcessorInformation                                            */
/* ------------------------------------------------------------------------ */

/* The order the records come in, by kind. */
static const LOGICAL_PROCESSOR_RELATIONSHIP order[] = {
    RelationProcessorCore, RelationCache,           RelationProcessorPackage,
    RelationProcessorDie,  RelationProcessorModule, RelationNumaNode};

/* The old call's record for p, from group 0; false if p has no CPU
 * there. */
static bool old_record(const struct pset *p,
                       SYSTEM_LOGICAL_PROCESSOR_INFORMATION *r) {
  KAFFINITY m = set_group(&p->cpus, 0);
  if (m == 0)
    return false;
  memset(r, 0, sizeof(*r));
  r->ProcessorMask = m;
  r->Relationship = p->kind;
  if (p->kind == RelationProcessorCore)
    r->ProcessorCore.Flags = set_count(&p->cpus) > 1 ? LTP_PC_SMT : 0;
  else if (p->kind == RelationNumaNode)
    r->NumaNode.NodeNumber = p->id;
  else if (p->kind == RelationCache) {
    r->Cache.Level = p->level;
    r->Cache.Associativity = p->assoc;
    r->Cache.LineSize = p->line;
    r->Cache.Size = p->size;
    r->Cache.Type = p->type;
  }
  return true;
}

CPORT_API BOOL GetLogicalProcessorInformation(
    PSYSTEM_LOGICAL_PROCESSOR_INFORMATION buffer, PDWORD len) {
  if (len == NULL)
    return w32_fail(ERROR_INVALID_PARAMETER);
  struct topo t;
  if (!topo_read(&t))
    return FALSE;
  /* The old call has cores, caches, packages and NUMA nodes. */
  static const LOGICAL_PROCESSOR_RELATIONSHIP kinds[] = {
      RelationProcessorCore, RelationCache, RelationProcessorPackage,
      RelationNumaNode};
  size_t count = 0, room = buffer != NULL ? *len / sizeof(*buffer) : 0;
  for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
    for (size_t i = 0; i < t.n; i++) {
      SYSTEM_LOGICAL_PROCESSOR_INFORMATION r;
      if (t.sets[i].kind != kinds[k] || !old_record(&t.sets[i], &r))
        continue;
      if (count < room)
        buffer[count] = r;
      count++;
    }
  free(t.sets);
  DWORD need = (DWORD)(count * sizeof(*buffer));
  bool fits = buffer != NULL && *len >= need;
  *len = need;
  return fits ? TRUE : w32_fail(ERROR_INSUFFICIENT_BUFFER);
}

/* ------------------------------------------------------------------------ */
/* GetLogicalProcessorInformationEx                                          */
/* ------------------------------------------------------------------------ */

/* The groups p has CPUs in, their masks into out (NULL: only counted). */
static WORD group_masks(const struct cpuset *cpus, int groups,
                        GROUP_AFFINITY *out) {
  WORD n = 0;
  for (int g = 0; g < groups; g++) {
    KAFFINITY m = set_group(cpus, g);
    if (m == 0)
      continue;
    if (out != NULL) {
      memset(&out[n], 0, sizeof(out[n]));
      out[n].Mask = m;
      out[n].Group = (WORD)g;
    }
    n++;
  }
  return n;
}

#define EX_HEAD offsetof(SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX, Processor)

/* The Ex record of p at `at` (NULL: only measured); its size. */
static size_t ex_record(const struct pset *p, int groups, char *at) {
  SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *r = (void *)at;
  WORD n = group_masks(&p->cpus, groups, NULL);
  size_t masks;
  if (p->kind == RelationCache)
    masks = EX_HEAD + offsetof(CACHE_RELATIONSHIP, GroupMasks);
  else if (p->kind == RelationNumaNode)
    masks = EX_HEAD + offsetof(NUMA_NODE_RELATIONSHIP, GroupMasks);
  else
    masks = EX_HEAD + offsetof(PROCESSOR_RELATIONSHIP, GroupMask);
  size_t size = masks + (n > 0 ? n : 1) * sizeof(GROUP_AFFINITY);
  if (r == NULL)
    return size;
  memset(r, 0, size);
  r->Relationship = p->kind;
  r->Size = (DWORD)size;
  if (p->kind == RelationCache) {
    r->Cache.Level = p->level;
    r->Cache.Associativity = p->assoc;
    r->Cache.LineSize = p->line;
    r->Cache.CacheSize = p->size;
    r->Cache.Type = p->type;
    r->Cache.GroupCount = n;
  } else if (p->kind == RelationNumaNode) {
    r->NumaNode.NodeNumber = p->id;
    r->NumaNode.GroupCount = n;
  } else {
    if (p->kind == RelationProcessorCore && set_count(&p->cpus) > 1)
      r->Processor.Flags = LTP_PC_SMT;
    r->Processor.GroupCount = n;
  }
  group_masks(&p->cpus, groups, (GROUP_AFFINITY *)(void *)(at + masks));
  return size;
}

/* The RelationGroup record (at NULL: only measured); its size. */
static size_t group_record(const struct topo *t, char *at) {
  int groups = group_count(&t->on);
  int conf = configured(&t->on);
  size_t size = EX_HEAD + offsetof(GROUP_RELATIONSHIP, GroupInfo) +
                (size_t)groups * sizeof(PROCESSOR_GROUP_INFO);
  if (at == NULL)
    return size;
  SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *r = (void *)at;
  memset(r, 0, size);
  r->Relationship = RelationGroup;
  r->Size = (DWORD)size;
  int need = (conf + GROUP_BITS - 1) / GROUP_BITS;
  r->Group.MaximumGroupCount = (WORD)(need > groups ? need : groups);
  r->Group.ActiveGroupCount = (WORD)groups;
  PROCESSOR_GROUP_INFO *gi = r->Group.GroupInfo;
  for (int g = 0; g < groups; g++) {
    KAFFINITY m = set_group(&t->on, g);
    int rest = conf - GROUP_BITS * g;
    gi[g].MaximumProcessorCount =
        (BYTE)(g + 1 < groups || rest > GROUP_BITS ? GROUP_BITS
                                                   : (rest > 0 ? rest : 1));
    gi[g].ActiveProcessorCount =
        (BYTE)__builtin_popcountll((unsigned long long)m);
    gi[g].ActiveProcessorMask = m;
  }
  return size;
}

/* Whether a record of `kind` answers a call for `want`. */
static bool wanted(LOGICAL_PROCESSOR_RELATIONSHIP want,
                   LOGICAL_PROCESSOR_RELATIONSHIP kind) {
  return want == RelationAll || want == kind ||
         (want == RelationNumaNodeEx && kind == RelationNumaNode);
}

/* Every record asked for, into out (NULL: only measured); the bytes. */
static size_t ex_records(const struct topo *t,
                         LOGICAL_PROCESSOR_RELATIONSHIP want, char *out) {
  int groups = group_count(&t->on);
  size_t total = 0;
  for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
    if (!wanted(want, order[k]))
      continue;
    for (size_t i = 0; i < t->n; i++)
      if (t->sets[i].kind == order[k])
        total += ex_record(&t->sets[i], groups, out ? out + total : NULL);
  }
  if (want == RelationAll || want == RelationGroup)
    total += group_record(t, out ? out + total : NULL);
  return total;
}

CPORT_API BOOL GetLogicalProcessorInformationEx(
    LOGICAL_PROCESSOR_RELATIONSHIP relationship,
    PSYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX buffer, PDWORD len) {
  if (len == NULL ||
      ((unsigned)relationship > (unsigned)RelationProcessorModule &&
       relationship != RelationAll))
    return w32_fail(ERROR_INVALID_PARAMETER);
  struct topo t;
  if (!topo_read(&t))
    return FALSE;
  size_t need = ex_records(&t, relationship, NULL);
  BOOL ok = buffer != NULL && *len >= need;
  if (ok)
    ex_records(&t, relationship, (char *)buffer);
  free(t.sets);
  *len = (DWORD)need;
  return ok ? TRUE : w32_fail(ERROR_INSUFFICIENT_BUFFER);
}
