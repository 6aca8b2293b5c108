// f64 benchmark: a gravitational n-body simulation (symplectic Euler) with made-up bodies.
// Runs `n` steps and returns the total energy, which exercises sqrt, mul, add and division.

#define BODIES 6

typedef struct {
  double x, y, z, vx, vy, vz, mass;
} Body;

static Body bodies[BODIES];

static void init(void) {
  for (int i = 0; i < BODIES; i++) {
    double f = (double)(i + 1);
    bodies[i].x = f * 1.5 - 4.0;
    bodies[i].y = (double)((i * 5) % 7) - 3.0;
    bodies[i].z = f * 0.25 - (double)(i % 2);
    bodies[i].vx = 0.01 * (double)(i % 3) - 0.01;
    bodies[i].vy = 0.02 * f - 0.07;
    bodies[i].vz = 0.005 * (double)(BODIES - i);
    bodies[i].mass = i == 0 ? 30.0 : 0.1 * f;
  }
}

static void advance(double dt) {
  for (int i = 0; i < BODIES; i++) {
    Body *a = &bodies[i];
    for (int j = i + 1; j < BODIES; j++) {
      Body *b = &bodies[j];
      double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
      double d2 = dx * dx + dy * dy + dz * dz + 0.01; // softening avoids blow-ups on close passes
      double mag = dt / (d2 * __builtin_sqrt(d2));
      a->vx -= dx * b->mass * mag, a->vy -= dy * b->mass * mag, a->vz -= dz * b->mass * mag;
      b->vx += dx * a->mass * mag, b->vy += dy * a->mass * mag, b->vz += dz * a->mass * mag;
    }
  }
  for (int i = 0; i < BODIES; i++) {
    Body *a = &bodies[i];
    a->x += dt * a->vx, a->y += dt * a->vy, a->z += dt * a->vz;
  }
}

static double energy(void) {
  double e = 0.0;
  for (int i = 0; i < BODIES; i++) {
    Body *a = &bodies[i];
    e += 0.5 * a->mass * (a->vx * a->vx + a->vy * a->vy + a->vz * a->vz);
    for (int j = i + 1; j < BODIES; j++) {
      Body *b = &bodies[j];
      double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
      e -= a->mass * b->mass / __builtin_sqrt(dx * dx + dy * dy + dz * dz + 0.01);
    }
  }
  return e;
}

double run(int n) {
  init();
  for (int step = 0; step < n; step++) advance(0.001);
  return energy();
}
