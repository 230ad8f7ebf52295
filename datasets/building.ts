/**
 * The synthetic building the generator simulates: a few instrumented rooms of a university
 * building plus a roof weather station, reporting the variables and periods that give a month
 * of the paper's shape (about 550k rows, about 50k of them temperatures).
 *
 * February 2019 has 40,320 minutes. Per room: temperature, humidity and occupancy every 5 min
 * (8,064 each), CO2 every minute (40,320), light every 2 min (20,160), sound every 10 min (4,032):
 * 88,704 rows; six rooms make 532,224. The roof adds four variables every 15 min (2,688 each).
 * Before outages that is 542,976 rows of which 51,072 are temperatures; outages remove 1–2%.
 */
import { SYNTHETIC_SENSOR_PREFIX } from './formats.ts';

export type RoomVariable = 'Room Temperature' | 'Humidity' | 'CO2' | 'Light' | 'Occupancy' | 'Sound';
export type RoofVariable = 'Temperature' | 'Humidity' | 'Pressure' | 'Wind Speed';

export interface Room {
  sensor: string;
  /** People the room holds when full. */
  capacity: number;
  /** How warm the room runs against the heating set point (°C): orientation, radiators. */
  thermalOffset: number;
  /** Daylight reaching the sensor at noon on a clear day (lux). */
  daylight: number;
  lon: number;
  lat: number;
  /** Floor height above sea level (m), for the Urban Observatory location columns. */
  height: number;
}

export interface StreamSpec<V extends string> {
  variable: V;
  units: string;
  periodMinutes: number;
  decimals: number;
}

// Around Newcastle Helix (the Urban Sciences Building), so locations look plausible on a map.
const BASE = { lon: -1.6254, lat: 54.9733, ground: 48 };

export const ROOMS: readonly Room[] = [
  { name: 'L1_OFFICE_1004', capacity: 4, thermalOffset: 0.4, daylight: 450, floor: 1 },
  { name: 'L2_MEETING_2021', capacity: 12, thermalOffset: -0.3, daylight: 300, floor: 2 },
  { name: 'L3_LAB_3015', capacity: 20, thermalOffset: 0.9, daylight: 200, floor: 3 },
  { name: 'L4_OFFICE_4002', capacity: 6, thermalOffset: -0.6, daylight: 550, floor: 4 },
  { name: 'L5_LECTURE_5001', capacity: 60, thermalOffset: 0.1, daylight: 150, floor: 5 },
  { name: 'L6_OFFICE_6010', capacity: 3, thermalOffset: 0.7, daylight: 600, floor: 6 },
].map((r, i) => ({
  sensor: `${SYNTHETIC_SENSOR_PREFIX}USB_${r.name}`,
  capacity: r.capacity,
  thermalOffset: r.thermalOffset,
  daylight: r.daylight,
  lon: round(BASE.lon + 0.00011 * (i - 2.5), 6),
  lat: round(BASE.lat + 0.00007 * ((i % 3) - 1), 6),
  height: BASE.ground + 4 * r.floor,
}));

export const ROOM_STREAMS: readonly StreamSpec<RoomVariable>[] = [
  { variable: 'Room Temperature', units: 'Celsius', periodMinutes: 5, decimals: 2 },
  { variable: 'Humidity', units: '%', periodMinutes: 5, decimals: 1 },
  { variable: 'CO2', units: 'ppm', periodMinutes: 1, decimals: 0 },
  { variable: 'Light', units: 'lux', periodMinutes: 2, decimals: 0 },
  { variable: 'Occupancy', units: 'people', periodMinutes: 5, decimals: 0 },
  { variable: 'Sound', units: 'dB', periodMinutes: 10, decimals: 1 },
];

export const ROOF = {
  sensor: `${SYNTHETIC_SENSOR_PREFIX}USB_ROOF_WEATHER`,
  lon: BASE.lon,
  lat: BASE.lat,
  height: BASE.ground + 30,
} as const;

export const ROOF_STREAMS: readonly StreamSpec<RoofVariable>[] = [
  { variable: 'Temperature', units: 'Celsius', periodMinutes: 15, decimals: 1 },
  { variable: 'Humidity', units: '%', periodMinutes: 15, decimals: 1 },
  { variable: 'Pressure', units: 'mb', periodMinutes: 15, decimals: 1 },
  { variable: 'Wind Speed', units: 'm/s', periodMinutes: 15, decimals: 1 },
];

/**
 * Values faulty sensors really send, so the scenario's plausibility filter has work to do:
 * 85 and -127 are the DS18B20 power-on and disconnected readings; 0 and 65535 are stuck ADCs.
 */
export const SUSPECT_VALUES: Record<string, readonly number[]> = {
  'Room Temperature': [85, -127],
  Temperature: [85, -127],
  Humidity: [0, 100.5],
  CO2: [0, 65535],
  Light: [65535],
  Occupancy: [255],
  Sound: [0],
  Pressure: [0],
  'Wind Speed': [-1],
};

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
