export * from './common';
export * from './system';
export * from './company';
export * from './agreement';
export * from './catalog';
export * from './service';
export * from './hosted';
export * from './callbacks';
