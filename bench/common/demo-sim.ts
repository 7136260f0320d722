/** The simulator with the demo seed only (the bench adds its companies through `/__admin`). */
import { loadDemoSeed } from '../../simulator';
import { serveSimulatorMain } from './sim-server';

serveSimulatorMain(loadDemoSeed);
