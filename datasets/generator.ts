/**
 * Deterministic generator of a month of synthetic building-sensor readings in the shape of the
 * Newcastle Urban Observatory data the paper replays. The simulation runs minute by minute
 * (occupancy drives CO2, sound and light; heating schedules and the weather drive
 * temperature), then sensors sample it at their own periods, with noise, outages and a few
 * suspect readings. Same options → byte-identical output: all randomness comes from one seed,
 * drawn in a fixed order that does not depend on the output format or the days written.
 */
import { usageError } from '../harness/errors.ts';
import { ROOF, ROOF_STREAMS, ROOM_STREAMS, ROOMS, SUSPECT_VALUES, type Room, type StreamSpec } from './building.ts';
import { COMPACT_COLUMNS, csvField, type DatasetFormat, URBAN_OBSERVATORY_COLUMNS } from './formats.ts';
import { seededRandom, type Random } from './random.ts';
import { isTemperatureVariable } from './semantics.ts';

export interface GenerateOptions {
  /** "YYYY-MM". */
  month: string;
  seed: number | string;
  format: DatasetFormat;
  /** Write only readings from this UTC minute on ("YYYY-MM-DD HH:mm", inside the month). The
   * simulation still starts at the month's first minute, so the rows written are exactly those
   * of the full month for the same seed. */
  from?: string;
  /** How many hours to write from `from` (or from the month's start); default: to the month's end. */
  hours?: number;
  /**
   * `temperature`: write only the temperature variables (datasets/semantics.ts), as the paper
   * filtered the month "to use only the temperature values" (paper lines 547-557). The rows
   * written are exactly the full month's temperature rows for the same seed.
   */
  only?: 'temperature';
}

/** One sample as written to the file. */
export interface GeneratedReading {
  sensor: string;
  variable: string;
  units: string;
  timestamp: string;
  /** Already formatted with the stream's decimals. */
  value: string;
  suspect: boolean;
  stream: Stream;
}

interface Stream {
  index: number;
  sensor: string;
  spec: StreamSpec<string>;
  lon: number;
  lat: number;
  height: number;
  /** Second of the minute the sensor usually reports at. */
  second: number;
  /** Minute (mod period) the sensor reports at. */
  phase: number;
  /** Minutes of the month the sensor is offline. */
  offline: Uint8Array;
}

const MINUTES_PER_DAY = 1440;
/** Probability that a sample is a faulty reading. */
const SUSPECT_RATE = 0.0004;

export function parseMonth(month: string): { year: number; month: number; days: number; startMs: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  const year = m ? Number(m[1]) : NaN;
  const mon = m ? Number(m[2]) : NaN;
  if (!m || mon < 1 || mon > 12 || year < 1970 || year > 2100) {
    throw usageError(`month "${month}" must be YYYY-MM between 1970-01 and 2100-12, e.g. 2019-02`);
  }
  const startMs = Date.UTC(year, mon - 1, 1);
  const days = Math.round((Date.UTC(year, mon, 1) - startMs) / 86_400_000);
  return { year, month: mon, days, startMs };
}

/** The file's text in chunks of one day each (the header first). */
export function* generateDataset(options: GenerateOptions): Generator<string> {
  const header = headerLine(options.format);
  if (header) yield header;
  let lines: string[] = [];
  let day = -1;
  for (const minute of simulateMonth(options)) {
    if (minute.day !== day && lines.length) {
      yield lines.join('');
      lines = [];
    }
    day = minute.day;
    for (const r of minute.readings) if (options.only !== 'temperature' || isTemperatureVariable(r.variable)) lines.push(formatReading(options.format, r));
  }
  if (lines.length) yield lines.join('');
}

function headerLine(format: DatasetFormat): string | undefined {
  if (format === 'uo') return `${URBAN_OBSERVATORY_COLUMNS.map(csvField).join(',')}\n`;
  if (format === 'compact') return `${COMPACT_COLUMNS.join(',')}\n`;
  return undefined;
}

export function formatReading(format: DatasetFormat, r: GeneratedReading): string {
  if (format === 'ndjson') {
    return `{"sensor":${JSON.stringify(r.sensor)},"variable":${JSON.stringify(r.variable)},"units":${JSON.stringify(r.units)},"timestamp":"${r.timestamp}","value":${r.value}}\n`;
  }
  const compact = `${csvField(r.sensor)},${csvField(r.variable)},${csvField(r.units)},${r.timestamp},${r.value}`;
  if (format === 'compact') return `${compact}\n`;
  const s = r.stream;
  return (
    `${compact},POINT (${s.lon} ${s.lat}),${s.height},Fogbench synthetic building,False,` +
    `${s.lon},${s.lat},${100_000 + s.index},${r.suspect ? 'True' : 'False'}\n`
  );
}

/** Minute by minute: the readings sensors report in that minute, in timestamp order. */
export function* simulateMonth(options: GenerateOptions): Generator<{ day: number; readings: GeneratedReading[] }> {
  const month = parseMonth(options.month);
  const minutes = month.days * MINUTES_PER_DAY;
  const window = minuteWindow(options, month.startMs, minutes);
  const root = seededRandom(`fogbench-dataset:${options.seed}`);
  const streams = buildStreams(root.fork('streams'), minutes);
  const noise = root.fork('noise');
  const building = new BuildingModel(root.fork('building'), month.startMs, month.days);

  // Minutes after the window cannot change the rows in it: stop there.
  for (let minute = 0; minute < window.to; minute++) {
    building.step(minute);
    const day = Math.floor(minute / MINUTES_PER_DAY) + 1;
    const due: { stream: Stream; second: number; value: number; suspect: boolean }[] = [];
    for (const stream of streams) {
      if ((minute - stream.phase) % stream.spec.periodMinutes !== 0) continue;
      // Draw every random number even for offline samples, so outages do not shift later values.
      const measured = building.measure(stream, noise);
      const jitter = noise.int(0, 3);
      const faulty = noise.chance(SUSPECT_RATE);
      const pick = noise.next();
      if (stream.offline[minute]) continue;
      const suspects = SUSPECT_VALUES[stream.spec.variable] ?? [];
      const suspect = faulty && suspects.length > 0;
      const value = suspect ? suspects[Math.floor(pick * suspects.length)]! : measured;
      due.push({ stream, second: Math.min(59, stream.second + jitter), value, suspect });
    }
    if (minute < window.from || minute >= window.to) continue;
    due.sort((a, b) => a.second - b.second || a.stream.index - b.stream.index);
    const prefix = minutePrefix(month.startMs + minute * 60_000);
    yield {
      day,
      readings: due.map((d) => ({
        sensor: d.stream.sensor,
        variable: d.stream.spec.variable,
        units: d.stream.spec.units,
        timestamp: `${prefix}${two(d.second)}`,
        value: formatValue(d.value, d.stream.spec.decimals),
        suspect: d.suspect,
        stream: d.stream,
      })),
    };
  }
}

/** The minutes [from, to) of the month to write. */
function minuteWindow(options: GenerateOptions, startMs: number, minutes: number): { from: number; to: number } {
  let from = 0;
  if (options.from !== undefined) {
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})$/.exec(options.from);
    const ms = m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:00Z`) : NaN;
    from = (ms - startMs) / 60_000;
    if (!m || !Number.isInteger(from) || from < 0 || from >= minutes) {
      throw usageError(`--from "${options.from}" must be "YYYY-MM-DD HH:mm" inside ${options.month}`);
    }
  }
  let to = minutes;
  if (options.hours !== undefined) {
    if (!Number.isInteger(options.hours) || options.hours < 1) throw usageError(`--hours must be a positive whole number, got ${options.hours}`);
    to = Math.min(minutes, from + options.hours * 60);
  }
  return { from, to };
}

function buildStreams(random: Random, minutes: number): Stream[] {
  const streams: Stream[] = [];
  const add = (sensor: string, spec: StreamSpec<string>, place: { lon: number; lat: number; height: number }) => {
    streams.push({
      index: streams.length,
      sensor,
      spec,
      ...place,
      second: random.int(0, 55),
      phase: random.int(0, spec.periodMinutes - 1),
      offline: new Uint8Array(minutes),
    });
  };
  for (const room of ROOMS) for (const spec of ROOM_STREAMS) add(room.sensor, spec, room);
  for (const spec of ROOF_STREAMS) add(ROOF.sensor, spec, ROOF);

  const outage = (stream: Stream, start: number, length: number) => stream.offline.fill(1, start, Math.min(minutes, start + length));
  // Single sensors drop out now and then (battery, radio) for minutes to hours.
  for (const stream of streams) {
    const count = random.int(0, 2);
    for (let i = 0; i < count; i++) outage(stream, random.int(0, minutes - 1), 10 + Math.round(-90 * Math.log(1 - random.next())));
  }
  // The building gateway goes down once or twice a month, silencing every room at once.
  const gatewayOutages = random.int(1, 2);
  for (let i = 0; i < gatewayOutages; i++) {
    const start = random.int(0, minutes - 1);
    const length = random.int(30, 240);
    for (const stream of streams) if (stream.sensor !== ROOF.sensor) outage(stream, start, length);
  }
  return streams;
}

interface RoomState {
  occupancy: number;
  /** Fraction of capacity booked for the current hour. */
  booking: number;
  co2: number;
  temperature: number;
  drift: number;
  lightsLeftOn: boolean;
}

/** The physical state the sensors sample. Advanced one minute at a time. */
class BuildingModel {
  private readonly rooms: RoomState[];
  private outdoor = { synoptic: 0, pressure: 0, logWind: 0, cloud: 0.6, temperature: 5, humidity: 85 };
  private minute = 0;

  constructor(
    private readonly random: Random,
    private readonly startMs: number,
    private readonly days: number,
  ) {
    this.rooms = ROOMS.map((room) => ({
      occupancy: 0,
      booking: 0,
      co2: 415,
      temperature: 17 + room.thermalOffset,
      drift: 0,
      lightsLeftOn: false,
    }));
    this.outdoor.synoptic = random.normal(0, 2);
    this.outdoor.pressure = random.normal(0, 6);
  }

  step(minute: number): void {
    this.minute = minute;
    const r = this.random;
    const hour = (minute % MINUTES_PER_DAY) / 60;
    const dayIndex = Math.floor(minute / MINUTES_PER_DAY);
    const weekday = isWeekday(this.startMs + minute * 60_000);

    // Weather: slow synoptic swings around a late-winter Newcastle climate, plus a daily cycle.
    const o = this.outdoor;
    o.synoptic = o.synoptic * 0.9999 + r.normal(0, 0.04);
    o.pressure = o.pressure * 0.99995 + r.normal(0, 0.08);
    o.logWind = o.logWind * 0.998 + r.normal(0, 0.03);
    if (minute % 60 === 0) o.cloud = clamp(o.cloud + r.normal(0, 0.15), 0.15, 1);
    const seasonal = 4.2 + (1.5 * dayIndex) / Math.max(1, this.days - 1);
    o.temperature = seasonal + o.synoptic + 2.5 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
    o.humidity = clamp(86 - 3 * (o.temperature - seasonal) + 6 * (1 - o.cloud), 45, 100);

    const heating = weekday ? hour >= 6 && hour < 19 : hour >= 10 && hour < 15;
    const setPoint = heating ? 21 : 17;
    ROOMS.forEach((room, i) => {
      const s = this.rooms[i]!;
      if (minute % 60 === 0) s.booking = this.booking(room, hour, weekday);
      if (minute % MINUTES_PER_DAY === 0) s.lightsLeftOn = false;
      if (hour === 18 && weekday) s.lightsLeftOn = r.chance(0.1);
      const target = Math.round(room.capacity * s.booking);
      if (s.occupancy < target && r.chance(0.4)) s.occupancy += Math.max(1, Math.round((target - s.occupancy) * 0.3));
      else if (s.occupancy > target && r.chance(0.4)) s.occupancy -= Math.max(1, Math.round((s.occupancy - target) * 0.3));
      // CO2 relaxes to outdoor air through ventilation; people add to it.
      s.co2 += (415 - s.co2) / 45 + (900 / (room.capacity * 45)) * s.occupancy;
      // Room temperature follows the set point, warmed by people and cooled by the weather.
      s.drift = s.drift * 0.999 + r.normal(0, 0.01);
      const goal = setPoint + room.thermalOffset + s.drift + 0.04 * (o.temperature - 5) + (0.9 * s.occupancy) / room.capacity;
      s.temperature += (goal - s.temperature) / 90;
    });
  }

  /** The hour's occupancy as a fraction of capacity: timetabled rooms are either busy or not. */
  private booking(room: Room, hour: number, weekday: boolean): number {
    const r = this.random;
    if (!weekday) return room.capacity >= 20 && r.chance(0.05) ? r.uniform(0.05, 0.2) : 0;
    if (hour < 8 || hour >= 18) return hour >= 7 && hour < 20 && r.chance(0.15) ? 1 / room.capacity : 0;
    const profile = hour < 9 ? 0.4 : hour >= 12 && hour < 13 ? 0.45 : hour >= 16 ? 0.6 : 0.9;
    const busy = room.capacity >= 12 ? 0.55 : 0.85;
    return r.chance(busy) ? profile * r.uniform(0.5, 1) : 0;
  }

  /** What the stream's sensor reads now, before formatting. */
  measure(stream: Stream, noise: Random): number {
    const o = this.outdoor;
    if (stream.sensor === ROOF.sensor) {
      switch (stream.spec.variable) {
        case 'Temperature':
          return o.temperature + noise.normal(0, 0.15);
        case 'Humidity':
          return clamp(o.humidity + noise.normal(0, 1), 0, 100);
        case 'Pressure':
          return 1012 + o.pressure + noise.normal(0, 0.2);
        default:
          return Math.max(0, 4.5 * Math.exp(o.logWind) * (1 + noise.normal(0, 0.15)));
      }
    }
    const roomIndex = Math.floor(stream.index / ROOM_STREAMS.length);
    const room = ROOMS[roomIndex]!;
    const s = this.rooms[roomIndex]!;
    switch (stream.spec.variable) {
      case 'Room Temperature':
        return s.temperature + noise.normal(0, 0.05);
      case 'Humidity':
        return clamp(42 - 1.5 * (s.temperature - 20) + (6 * s.occupancy) / room.capacity + 0.1 * (o.humidity - 85) + noise.normal(0, 0.3), 15, 80);
      case 'CO2':
        return Math.max(380, s.co2 + noise.normal(0, 5));
      case 'Light': {
        const lit = s.occupancy > 0 || s.lightsLeftOn ? 380 : 0;
        return Math.max(0, (lit + room.daylight * o.cloud * this.sunElevation()) * (1 + noise.normal(0, 0.03)));
      }
      case 'Occupancy':
        return s.occupancy;
      default:
        return s.occupancy > 0 ? 38 + 8 * Math.log10(1 + s.occupancy) + noise.normal(0, 2) : 30 + noise.normal(0, 1.5);
    }
  }

  /** 0 at night, 1 at solar noon; Newcastle's February day lengthens from 8.6 h to 10.5 h. */
  private sunElevation(): number {
    const dayFraction = this.minute / (this.days * MINUTES_PER_DAY);
    const sunrise = 8.1 - 0.95 * dayFraction;
    const sunset = 16.7 + 0.95 * dayFraction;
    const hour = (this.minute % MINUTES_PER_DAY) / 60;
    if (hour <= sunrise || hour >= sunset) return 0;
    return Math.sin((Math.PI * (hour - sunrise)) / (sunset - sunrise));
  }
}

function isWeekday(ms: number): boolean {
  const d = new Date(ms).getUTCDay();
  return d !== 0 && d !== 6;
}

/** "YYYY-MM-DD HH:mm:" of a UTC instant (Newcastle is on GMT in winter). */
function minutePrefix(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function formatValue(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  // toFixed keeps the sign of values that round to zero ("-0.0"); a sensor would not.
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

function clamp(x: number, min: number, max: number): number {
  return x < min ? min : x > max ? max : x;
}
