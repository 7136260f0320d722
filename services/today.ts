/**
 * The calendar day agreements are judged on. UTC for now: the MSP's own time zone is not known to
 * the engine yet (API-NOTES §8.5), so an agreement ending "today" may be judged a few hours early
 * or late at the edges of the day.
 */
export const utcToday = (now: Date = new Date()): string => now.toISOString().slice(0, 10);
